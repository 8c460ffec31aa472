package dev.syscage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Writes an OCI profile as the flat rule list the libseccomp comparator reads, keeping the
 * entries Docker keeps for a container (every {@code includes} condition holds, no
 * {@code excludes} condition does), as Docker does before handing the profile to runc.
 */
final class LibseccompRules {
    private LibseccompRules() {}

    static String convert(Path json, Set<String> caps, String dockerArch, int[] kernel) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        StringBuilder sb = new StringBuilder("# generated from ")
                .append(json.getFileName())
                .append('\n');
        sb.append("default ")
                .append(action(root.path("defaultAction").asText()))
                .append(' ')
                .append(root.path("defaultErrnoRet").asInt(1))
                .append('\n');
        for (JsonNode e : root.path("syscalls")) {
            if (!applies(e.path("includes"), true, caps, dockerArch, kernel)
                    || applies(e.path("excludes"), false, caps, dockerArch, kernel)) {
                continue;
            }
            String act = action(e.path("action").asText());
            int data = e.path("errnoRet").asInt(act.equals("ERRNO") ? 1 : 0);
            StringBuilder conds = new StringBuilder();
            for (JsonNode a : e.path("args")) {
                conds.append(' ')
                        .append(a.path("index").asInt())
                        .append(':')
                        .append(a.path("op").asText().replace("SCMP_CMP_", ""))
                        .append(':')
                        .append(Long.toUnsignedString(a.path("value").asLong()))
                        .append(':')
                        .append(Long.toUnsignedString(a.path("valueTwo").asLong()));
            }
            for (JsonNode n : e.path("names")) {
                sb.append("rule ")
                        .append(act)
                        .append(' ')
                        .append(data)
                        .append(' ')
                        .append(n.asText())
                        .append(conds)
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static String action(String oci) {
        String a = oci.replace("SCMP_ACT_", "");
        return a.equals("KILL") ? "KILL_THREAD" : a;
    }

    /**
     * For includes ({@code all}): true when every listed condition holds (an empty filter holds).
     * For excludes: true when any listed condition holds.
     */
    private static boolean applies(JsonNode f, boolean all, Set<String> caps, String arch, int[] kernel) {
        boolean any = false;
        boolean every = true;
        for (JsonNode c : f.path("caps")) {
            boolean h = caps.contains(c.asText());
            any |= h;
            every &= h;
        }
        if (f.has("arches") && f.path("arches").size() > 0) {
            boolean h = false;
            for (JsonNode a : f.path("arches")) {
                h |= a.asText().equals(arch);
            }
            any |= h;
            every &= h;
        }
        if (f.hasNonNull("minKernel")) {
            String[] v = f.path("minKernel").asText().split("\\.");
            int maj = Integer.parseInt(v[0]);
            int min = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            boolean h = kernel[0] > maj || (kernel[0] == maj && kernel[1] >= min);
            any |= h;
            every &= h;
        }
        return all ? every : any;
    }

    static void write(Path out, String text) throws IOException {
        Files.writeString(out, text);
    }
}
