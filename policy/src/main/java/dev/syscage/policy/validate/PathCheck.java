package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.parse.YamlNode.Scalar;
import dev.syscage.policy.path.LexicalPath;
import java.util.Optional;

/**
 * The paths a policy hands to the kernel as written: {@code filesystem: allow:} rules (Landlock
 * opens each path when the launcher builds the domain and grants rights beneath what it finds)
 * and the {@code isolate:} section's {@code read-only} and {@code writable} paths (the launcher
 * bind-mounts each). Such a path must be one the kernel can open as written and must mean what it
 * says: absolute, no pattern characters (neither Landlock nor a mount has patterns: each covers a
 * path and everything beneath it), no {@code .} or {@code ..} components (the kernel would follow
 * them through symlinks, so the rule or mount could land elsewhere than it reads), no NUL.
 * Repeated and trailing slashes change nothing and are dropped.
 */
final class PathCheck {
    /**
     * How the messages name what a path is for.
     *
     * @param noun       the path itself: {@code Landlock path}, {@code read-only path}
     * @param needs      why it must be absolute: {@code a rule needs an absolute path}
     * @param noPatterns why a pattern is wrong: {@code Landlock has no patterns: ...}
     * @param user       what names the path: {@code a Landlock rule}, {@code a mount}
     */
    record Use(String noun, String needs, String noPatterns, String user) {}

    /** A {@code filesystem: allow:} rule's path. */
    static final Use LANDLOCK = new Use(
            "Landlock path",
            "a rule needs an absolute path",
            "Landlock has no patterns: a rule covers a path and everything beneath it",
            "a Landlock rule");

    private PathCheck() {}

    /** A path of the {@code isolate:} section, listed under {@code key} ({@code read-only}, {@code writable}). */
    static Use mount(String key) {
        return new Use(
                key + " path",
                "a mount needs an absolute path",
                "mounts have no patterns: a " + key + " path covers everything beneath it",
                "a mount");
    }

    /** The path, with repeated and trailing '/' dropped; empty when it is unusable (diagnosed). */
    static Optional<String> check(Scalar s, Use use, Diagnostics diags) {
        String p = s.text();
        int nul = p.indexOf('\0');
        if (nul >= 0) {
            diags.error(s.posAt(nul), "a " + use.noun() + " cannot contain a NUL character");
            return Optional.empty();
        }
        if (!p.startsWith("/")) {
            diags.error(s.pos(), notAbsolute(p, use));
            return Optional.empty();
        }
        int glob = firstGlob(p);
        if (glob >= 0) {
            String dir = p.substring(0, p.lastIndexOf('/', glob));
            diags.error(
                    s.posAt(glob),
                    "'" + p + "' is a pattern, and " + use.noPatterns() + " (did you mean '"
                            + collapse(dir.isEmpty() ? "/" : dir) + "'?)");
            return Optional.empty();
        }
        for (int start = 1; start <= p.length(); ) {
            int end = p.indexOf('/', start);
            end = end < 0 ? p.length() : end;
            String component = p.substring(start, end);
            if (component.equals(".") || component.equals("..")) {
                String why = component.equals(".")
                        ? "write the path without it"
                        : use.user() + " names a path as it is, and the kernel would follow '..' through symlinks";
                diags.error(
                        s.posAt(start),
                        "'" + p + "' has a '" + component + "' component; " + why + " (did you mean '"
                                + LexicalPath.normalize(p) + "'?)");
                return Optional.empty();
            }
            start = end + 1;
        }
        return Optional.of(collapse(p));
    }

    private static String notAbsolute(String p, Use use) {
        if (p.startsWith("~") || p.startsWith("$")) {
            return use.noun() + " '" + p + "' is not absolute; policies do not expand '~' or variables: "
                    + "write the path out";
        }
        boolean hint = !p.isEmpty() && !p.startsWith(".");
        return use.noun() + " '" + p + "' is not absolute; " + use.needs()
                + (hint ? " (did you mean '/" + p + "'?)" : "");
    }

    private static int firstGlob(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '*' || c == '?' || c == '[') {
                return i;
            }
        }
        return -1;
    }

    /** Repeated '/' made one, a trailing '/' dropped (not the root's). */
    private static String collapse(String p) {
        String c = p.replaceAll("/{2,}", "/");
        return c.length() > 1 && c.endsWith("/") ? c.substring(0, c.length() - 1) : c;
    }
}
