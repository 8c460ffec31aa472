package dev.syscage.policy.validate;

import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.parse.YamlNode.Scalar;
import dev.syscage.policy.supervise.LexicalPath;
import java.util.Optional;

/**
 * The paths of {@code filesystem: allow:} rules. Landlock opens each path when the launcher
 * builds the domain and grants rights beneath the file or directory it finds, so a path must be
 * one the kernel can open as written and must mean what it says: absolute, no pattern
 * characters (Landlock has none), no {@code .} or {@code ..} components (the kernel would
 * follow them through symlinks, so the rule could land elsewhere than it reads), no NUL.
 * Repeated and trailing slashes change nothing and are dropped.
 */
final class LandlockPaths {
    private LandlockPaths() {
    }

    /** The path, with repeated and trailing '/' dropped; empty when it is unusable (diagnosed). */
    static Optional<String> check(Scalar s, Diagnostics diags) {
        String p = s.text();
        int nul = p.indexOf('\0');
        if (nul >= 0) {
            diags.error(s.posAt(nul), "a Landlock path cannot contain a NUL character");
            return Optional.empty();
        }
        if (!p.startsWith("/")) {
            diags.error(s.pos(), notAbsolute(p));
            return Optional.empty();
        }
        int glob = firstGlob(p);
        if (glob >= 0) {
            String dir = p.substring(0, p.lastIndexOf('/', glob));
            diags.error(s.posAt(glob), "'" + p + "' is a pattern, and Landlock has no patterns: a rule covers a path and "
                    + "everything beneath it (did you mean '" + collapse(dir.isEmpty() ? "/" : dir) + "'?)");
            return Optional.empty();
        }
        for (int start = 1; start <= p.length(); ) {
            int end = p.indexOf('/', start);
            end = end < 0 ? p.length() : end;
            String component = p.substring(start, end);
            if (component.equals(".") || component.equals("..")) {
                String why = component.equals(".") ? "write the path without it"
                        : "a Landlock rule names a path as it is, and the kernel would follow '..' through symlinks";
                diags.error(s.posAt(start), "'" + p + "' has a '" + component + "' component; " + why
                        + " (did you mean '" + LexicalPath.normalize(p) + "'?)");
                return Optional.empty();
            }
            start = end + 1;
        }
        return Optional.of(collapse(p));
    }

    private static String notAbsolute(String p) {
        if (p.startsWith("~") || p.startsWith("$")) {
            return "Landlock path '" + p + "' is not absolute; policies do not expand '~' or variables: write the path out";
        }
        boolean hint = !p.isEmpty() && !p.startsWith(".");
        return "Landlock path '" + p + "' is not absolute; a rule needs an absolute path"
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
