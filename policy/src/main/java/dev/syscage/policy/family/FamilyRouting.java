package dev.syscage.policy.family;

import dev.syscage.policy.model.ArchPolicy;
import java.util.List;

/** The output of {@link FamilyRouter}: the policy per architecture with siblings routed, and each route taken. */
public record FamilyRouting(List<ArchPolicy> arches, List<Route> routes) {
    public FamilyRouting {
        arches = List.copyOf(arches);
        routes = List.copyOf(routes);
    }
}
