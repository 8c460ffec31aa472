package dev.syscage.policy.landlock;

import dev.syscage.policy.diag.SourcePos;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LandlockRuleset} for people: what {@code run --dry-run}, {@code check} and
 * {@code disasm} print, so that whoever reads a policy's output knows what the kernel lets the
 * program touch. Rights are shown by their kernel names ({@code read_file}), which are what the
 * kernel enforces whatever words the policy used.
 *
 * <pre>
 * landlock: file system (every right, 2 path rules), network (connect by TCP port); Landlock ABI 5+, required
 *   file system confined: execute, write_file, read_file, ...
 *   allow /usr: execute, read_file, read_dir (web.yaml:7)
 *   allow /opt/app if it exists: read_file, read_dir (web.yaml:10)
 *   network: connect tcp 80, 443
 *   not Landlock's: chmod, chown, utime, xattr changes and ioctl on regular files (seccomp and supervise rules)
 * </pre>
 */
public final class RulesetText {
    private RulesetText() {}

    /** One line: what is confined and the ABI it needs, or {@code landlock: none (...)}. */
    public static String summary(LandlockRuleset r) {
        if (r.isEmpty()) {
            return "landlock: none (no filesystem, network or scope section)";
        }
        List<String> parts = new ArrayList<>();
        if (r.handledFs() != 0) {
            int n = r.paths().size();
            parts.add("file system ("
                    + (r.handledFs() == FsAccess.ALL
                            ? "every right"
                            : Long.bitCount(r.handledFs()) + (Long.bitCount(r.handledFs()) == 1 ? " right" : " rights"))
                    + ", " + n + (n == 1 ? " path rule)" : " path rules)"));
        }
        if (r.handledNet() != 0) {
            parts.add("network (" + directions(r.handledNet()) + " by TCP port)");
        }
        if (r.scoped() != 0) {
            parts.add("scope (" + String.join(", ", Scope.names(r.scoped())) + ")");
        }
        return "landlock: " + String.join(", ", parts) + "; Landlock ABI " + r.abiNeeded() + "+, "
                + r.compat().word();
    }

    /** {@link #summary} and, indented, every right confined, every rule, and what Landlock leaves to seccomp. */
    public static List<String> describe(LandlockRuleset r) {
        List<String> out = new ArrayList<>();
        out.add(summary(r));
        if (r.isEmpty()) {
            return out;
        }
        if (r.handledFs() != 0) {
            out.add("  file system confined: " + String.join(", ", FsAccess.names(r.handledFs())));
            for (LandlockRuleset.PathRule p : r.paths()) {
                out.add("  allow " + p.path() + (p.optional() ? " if it exists" : "") + ": "
                        + String.join(", ", FsAccess.names(p.access())) + where(p.pos()));
            }
            if (r.paths().isEmpty()) {
                out.add("  no path rules: every right above is denied everywhere");
            }
        }
        for (long bit : new long[] {NetAccess.BIND_TCP, NetAccess.CONNECT_TCP}) {
            if ((r.handledNet() & bit) != 0) {
                List<String> ports = r.ports().stream()
                        .filter(p -> (p.access() & bit) != 0)
                        .map(p -> String.valueOf(p.port()))
                        .toList();
                out.add("  network: " + (bit == NetAccess.BIND_TCP ? "bind" : "connect") + " tcp "
                        + (ports.isEmpty() ? "on no port" : String.join(", ", ports)));
            }
        }
        if (r.scoped() != 0) {
            out.add("  scope: " + String.join(", ", Scope.names(r.scoped())));
        }
        if (r.handledFs() != 0) {
            out.add("  not Landlock's: chmod, chown, utime, xattr changes and ioctl on regular files"
                    + " (seccomp and supervise rules)");
        }
        return out;
    }

    /**
     * The policy sections a ruleset comes from, as a policy names them ({@code filesystem},
     * {@code network}, {@code scope}), for messages about what is applied or lost.
     */
    public static List<String> sections(LandlockRuleset r) {
        List<String> out = new ArrayList<>();
        if (r.handledFs() != 0) {
            out.add("filesystem");
        }
        if (r.handledNet() != 0) {
            out.add("network");
        }
        if (r.scoped() != 0) {
            out.add("scope");
        }
        return out;
    }

    private static String directions(long net) {
        List<String> d = new ArrayList<>();
        if ((net & NetAccess.BIND_TCP) != 0) {
            d.add("bind");
        }
        if ((net & NetAccess.CONNECT_TCP) != 0) {
            d.add("connect");
        }
        return String.join(", ", d);
    }

    private static String where(SourcePos pos) {
        return pos == null ? "" : " (" + pos.fileLine() + ")";
    }
}
