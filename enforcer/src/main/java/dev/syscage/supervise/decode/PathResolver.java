package dev.syscage.supervise.decode;

import java.util.Optional;

/**
 * Resolves a path argument the way the kernel would start to: an absolute path stays, a relative
 * one is joined to its base (the dirfd's target, or the cwd), then "." and ".." are folded and
 * repeated slashes dropped, all lexically. Symlinks are not followed, so {@code /tmp/link/../x} is
 * {@code /tmp/x} even when {@code link} points elsewhere; a rule on the result is a rule on the
 * name the program used, and the notify supervisor's race-free opens are what bind the name to
 * the file. ".." at the root stays at the root, as in the kernel. A trailing slash is dropped.
 */
final class PathResolver {

    private PathResolver() {}

    /**
     * {@code path} resolved against {@code base}; empty when the path is relative and the base is
     * unknown or not an absolute path (a pipe, a socket, an anonymous inode).
     */
    static Optional<String> resolve(String path, Optional<String> base) {
        if (path.startsWith("/")) {
            return Optional.of(fold(path));
        }
        if (base.isEmpty() || !base.get().startsWith("/")) {
            return Optional.empty();
        }
        return Optional.of(fold(base.get() + "/" + path));
    }

    /** An absolute path with ".", "..", repeated and trailing slashes folded away. */
    static String fold(String absolute) {
        if (isFolded(absolute)) {
            return absolute; // the usual case: nothing to drop
        }
        StringBuilder out = new StringBuilder(absolute.length());
        int i = 0;
        int n = absolute.length();
        while (i < n) {
            while (i < n && absolute.charAt(i) == '/') {
                i++;
            }
            int end = absolute.indexOf('/', i);
            if (end < 0) {
                end = n;
            }
            int len = end - i;
            if (len == 0 || (len == 1 && absolute.charAt(i) == '.')) {
                i = end;
                continue;
            }
            if (len == 2 && absolute.charAt(i) == '.' && absolute.charAt(i + 1) == '.') {
                out.setLength(Math.max(0, out.lastIndexOf("/")));
            } else {
                out.append('/').append(absolute, i, end);
            }
            i = end;
        }
        return out.length() == 0 ? "/" : out.toString();
    }

    /** Absolute with no empty, {@code .} or {@code ..} component and no trailing slash: fold would return it as is. */
    private static boolean isFolded(String p) {
        int n = p.length();
        if (n == 0 || p.charAt(0) != '/') {
            return false;
        }
        if (n == 1) {
            return true;
        }
        if (p.charAt(n - 1) == '/') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (p.charAt(i) != '/') {
                continue;
            }
            // component after this slash: empty, "." or ".."?
            int j = i + 1;
            if (j == n || p.charAt(j) == '/') {
                return false;
            }
            if (p.charAt(j) == '.'
                    && (j + 1 == n
                            || p.charAt(j + 1) == '/'
                            || (p.charAt(j + 1) == '.' && (j + 2 == n || p.charAt(j + 2) == '/')))) {
                return false;
            }
        }
        return true;
    }
}
