package dev.syscage.policy.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.arch.Constants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A whole Docker/Podman profile as runc hands it to libseccomp, written as input for
 * {@link LibseccompRef}: the entries Docker keeps for the host and capabilities
 * ({@link OciSemantics#dockerKeeps}), in order, entries with the default action left out, one
 * {@code seccomp_rule_add_array} per name, and one rule per comparison where two comparisons of
 * an entry test the same argument (runc's libcontainer/seccomp). Independent of the importer.
 */
final class RuncRules {
    private RuncRules() {}

    /** {@code refArches}: libseccomp_ref's names, the host's first ("x86_64", "x86"). */
    static String of(String json, String host, Set<String> caps, String kernel, List<String> refArches) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String def = action(root.get("defaultAction").asText(), errno(root, "defaultErrnoRet", "defaultErrno"));
        StringBuilder out = new StringBuilder("default " + def + "\n");
        refArches.forEach(a -> out.append("arch ").append(a).append('\n'));
        for (JsonNode e : root.get("syscalls")) {
            String act = action(e.get("action").asText(), errno(e, "errnoRet", "errno"));
            if (!OciSemantics.dockerKeeps(e, host, caps, kernel) || act.equals(def)) {
                continue;
            }
            List<JsonNode> args = new ArrayList<>();
            if (e.hasNonNull("args")) {
                e.get("args").forEach(args::add);
            }
            boolean shared =
                    args.stream().map(a -> a.get("index").asInt()).distinct().count() < args.size();
            List<List<JsonNode>> rules = shared ? args.stream().map(List::of).toList() : List.of(args);
            for (JsonNode name : e.get("names")) {
                for (List<JsonNode> r : rules) {
                    out.append("rule ")
                            .append(name.asText())
                            .append(' ')
                            .append(act)
                            .append(' ')
                            .append(r.size());
                    for (JsonNode a : r) {
                        out.append(' ')
                                .append(a.get("index").asInt())
                                .append(' ')
                                .append(a.get("op")
                                        .asText()
                                        .substring("SCMP_CMP_".length())
                                        .toLowerCase())
                                .append(' ')
                                .append(a.get("value").bigIntegerValue())
                                .append(' ')
                                .append(
                                        a.hasNonNull("valueTwo")
                                                ? a.get("valueTwo").bigIntegerValue()
                                                : "0");
                    }
                    out.append('\n');
                }
            }
        }
        return out.toString();
    }

    /**
     * The number, else the errno name (containers/common writes it and Podman hands runc its
     * number), else null: OCI's EPERM.
     */
    private static Long errno(JsonNode n, String retKey, String nameKey) {
        if (n.hasNonNull(retKey)) {
            return n.get(retKey).asLong();
        }
        return n.hasNonNull(nameKey) ? Constants.errno(n.get(nameKey).asText()).orElseThrow() : null;
    }

    /** libseccomp_ref's spelling of an OCI action: {@code errno 1}, {@code allow 0}. */
    private static String action(String oci, Long errnoRet) {
        long data = errnoRet == null ? 1 : errnoRet;
        return switch (oci) {
            case "SCMP_ACT_ALLOW" -> "allow 0";
            case "SCMP_ACT_ERRNO" -> "errno " + data;
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> "kill_thread 0";
            case "SCMP_ACT_KILL_PROCESS" -> "kill_process 0";
            case "SCMP_ACT_TRAP" -> "trap 0";
            case "SCMP_ACT_TRACE" -> "trace " + data;
            case "SCMP_ACT_LOG" -> "log 0";
            default -> throw new IllegalArgumentException(oci);
        };
    }
}
