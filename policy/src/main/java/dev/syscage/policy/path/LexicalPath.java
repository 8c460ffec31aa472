package dev.syscage.policy.path;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the path a syscall names into the absolute, normalized path that {@link PathPattern}s
 * match: relative paths are taken from a base (the directory of the call's dirfd, or the
 * process's current directory), "." and ".." are folded and repeated '/' collapsed, the way
 * the kernel walks a path, but lexically: nothing on disk is looked at, so symbolic links are
 * not followed (a link {@code /tmp/x -> /etc/shadow} stays {@code /tmp/x}, and {@code ..} after
 * a link goes back up the link's own parent).
 */
public final class LexicalPath {
    private LexicalPath() {}

    /**
     * {@code path} resolved against {@code base}. An absolute {@code path} ignores the base; an
     * empty one is the base itself (as with {@code AT_EMPTY_PATH}). {@code ..} at the root stays
     * at the root.
     *
     * @throws IllegalArgumentException if {@code path} is relative and {@code base} is not absolute
     */
    public static String resolve(String base, String path) {
        if (path.startsWith("/")) {
            return normalize(path);
        }
        if (base == null || !base.startsWith("/")) {
            throw new IllegalArgumentException(
                    "relative path '" + path + "' needs an absolute base, got '" + base + "'");
        }
        return normalize(base + "/" + path);
    }

    /** An absolute path with "." and ".." folded and no repeated or trailing '/'. */
    public static String normalize(String absolute) {
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: '" + absolute + "'");
        }
        List<String> parts = new ArrayList<>();
        for (String part : absolute.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else {
                parts.add(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** Whether {@code path} is already what {@link #normalize} would make of it (checked without allocating). */
    public static boolean isNormalized(String path) {
        if (!path.startsWith("/")) {
            return false;
        }
        if (path.length() == 1) {
            return true;
        }
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            int stop = end < 0 ? path.length() : end;
            int len = stop - start;
            if (len == 0
                    || (len == 1 && path.charAt(start) == '.')
                    || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
                return false;
            }
            if (end < 0) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
