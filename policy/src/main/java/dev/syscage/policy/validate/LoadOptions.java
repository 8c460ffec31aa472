package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to load a policy: where to look for profiles named in {@code include: [NAME]} (before the
 * shipped ones), and architectures to use instead of those the policy names (empty: as the
 * policy says).
 */
public record LoadOptions(List<Path> profileDirs, List<Arch> archOverride) {

    /** System property with ':'-separated profile directories, searched before the shipped profiles. */
    public static final String PROFILE_PATH_PROPERTY = "syscage.profile.path";

    public LoadOptions {
        profileDirs = List.copyOf(profileDirs);
        archOverride = List.copyOf(archOverride);
    }

    /** Profile directories from {@value #PROFILE_PATH_PROPERTY} if set, no architecture override. */
    public static LoadOptions defaults() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getProperty(PROFILE_PATH_PROPERTY, "");
        for (String d : path.split(":")) {
            if (!d.isBlank()) {
                dirs.add(Path.of(d));
            }
        }
        return new LoadOptions(dirs, List.of());
    }

    public LoadOptions withArches(List<Arch> arches) {
        return new LoadOptions(profileDirs, arches);
    }
}
