package dev.syscage.policy.landlock;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LandlockRuleset} as a JSON object, for {@code compile --format json}: each handled
 * set as kernel names and as the hex mask the launcher passes to the kernel, the rules with
 * the place they were written, what to do on a kernel with less, and the ABI version needed.
 *
 * <pre>
 * {
 *   "abi": 4, "compat": "required",
 *   "fs": {"names": ["execute", "read_file", ...], "mask": "0x1fff"},
 *   "net": {"names": ["connect_tcp"], "mask": "0x2"},
 *   "scope": {"names": [], "mask": "0x0"},
 *   "paths": [{"path": "/usr", "access": ["execute", "read_file"], "mask": "0x5", "optional": false, "source": "web.yaml:7"}],
 *   "ports": [{"port": 443, "access": ["connect_tcp"], "mask": "0x2", "source": "web.yaml:12"}]
 * }
 * </pre>
 */
public final class RulesetJson {
    private RulesetJson() {}

    /** The object, its lines after the first indented by {@code indent} (it is usually a member's value). */
    public static String toJson(LandlockRuleset r, String indent) {
        String in = indent + "  ";
        List<String> members = new ArrayList<>();
        members.add("\"abi\": " + r.abiNeeded());
        members.add("\"compat\": " + quote(r.compat().word()));
        members.add("\"fs\": " + set(FsAccess.names(r.handledFs()), r.handledFs()));
        members.add("\"net\": " + set(netNames(r.handledNet()), r.handledNet()));
        members.add("\"scope\": " + set(Scope.names(r.scoped()), r.scoped()));
        List<String> paths = new ArrayList<>();
        for (LandlockRuleset.PathRule p : r.paths()) {
            paths.add("{\"path\": " + quote(p.path()) + ", \"access\": " + names(FsAccess.names(p.access()))
                    + ", \"mask\": " + hex(p.access()) + ", \"optional\": " + p.optional()
                    + ", \"source\": "
                    + (p.pos() == null ? "null" : quote(p.pos().fileLine())) + "}");
        }
        members.add("\"paths\": " + list(paths, in));
        List<String> ports = new ArrayList<>();
        for (LandlockRuleset.PortRule p : r.ports()) {
            ports.add("{\"port\": " + p.port() + ", \"access\": " + names(netNames(p.access())) + ", \"mask\": "
                    + hex(p.access()) + ", \"source\": "
                    + (p.pos() == null ? "null" : quote(p.pos().fileLine())) + "}");
        }
        members.add("\"ports\": " + list(ports, in));
        return "{\n" + in + String.join(",\n" + in, members) + "\n" + indent + "}";
    }

    private static List<String> netNames(long mask) {
        List<String> out = new ArrayList<>();
        for (long bit : new long[] {NetAccess.BIND_TCP, NetAccess.CONNECT_TCP}) {
            if ((mask & bit) != 0) {
                out.add(NetAccess.name(bit));
            }
        }
        return out;
    }

    private static String set(List<String> names, long mask) {
        return "{\"names\": " + names(names) + ", \"mask\": " + hex(mask) + "}";
    }

    private static String names(List<String> names) {
        return "[" + String.join(", ", names.stream().map(RulesetJson::quote).toList()) + "]";
    }

    private static String list(List<String> items, String indent) {
        if (items.isEmpty()) {
            return "[]";
        }
        return "[\n" + indent + "  " + String.join(",\n" + indent + "  ", items) + "\n" + indent + "]";
    }

    private static String hex(long v) {
        return "\"0x" + Long.toHexString(v) + "\"";
    }

    /** {@code s} as a JSON string. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
