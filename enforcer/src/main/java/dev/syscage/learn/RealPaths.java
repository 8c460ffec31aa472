package dev.syscage.learn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The real path of a path a learned program named, as Landlock will see it: a Landlock rule
 * is bound to the file or directory its path leads to when the domain is made, and the kernel
 * checks where the file really is. So every symbolic link is followed ({@code /lib64/ld-linux...}
 * is {@code /usr/lib/x86_64-linux-gnu/ld-linux...} on a merged-/usr system), the last component
 * too unless the call does not follow it. Resolved here, in syscage's own process: so
 * {@code /proc/self} and {@code /proc/thread-self} are replaced by the caller's, and a
 * {@code /proc/PID/fd/N}, {@code exe} or {@code cwd} link leads to the file it names, or to
 * nothing for a pipe, a socket or an anonymous inode (no file-system right reaches those).
 * Directories already resolved are remembered for the run.
 */
final class RealPaths {
    private static final int MAX_LINKS = 40; // the kernel's limit on links followed in one lookup
    private static final String DELETED = " (deleted)";

    private final Map<String, String> dirs = new HashMap<>();

    /**
     * {@code path} (absolute, "." and ".." folded) with every link followed; the last component
     * only when {@code followLast}. Empty when it leads to no file-system path.
     */
    Optional<String> real(String path, boolean followLast, int pid, int tid) {
        if (path.equals("/")) {
            return Optional.of(path);
        }
        int slash = path.lastIndexOf('/');
        String parent = slash == 0 ? "/" : path.substring(0, slash);
        String name = path.substring(slash + 1);
        Optional<String> dir = realDir(parent, pid, tid);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        String joined = join(dir.get(), name);
        if (isProcSelf(dir.get(), name) || (followLast && Files.isSymbolicLink(Path.of(joined)))) {
            return resolve(joined, pid, tid);
        }
        return Optional.of(joined);
    }

    private Optional<String> realDir(String dir, int pid, int tid) {
        String known = dirs.get(dir);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> r = resolve(dir, pid, tid);
        // /proc/PID/... differs between callers; a directory made later may be a link today
        if (r.isPresent()
                && !dir.startsWith("/proc/")
                && !r.get().startsWith("/proc/")
                && Files.isDirectory(Path.of(r.get()), LinkOption.NOFOLLOW_LINKS)) {
            dirs.put(dir, r.get());
        }
        return r;
    }

    /** Every component followed, as realpath(3) would from the caller's point of view. */
    private static Optional<String> resolve(String path, int pid, int tid) {
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        String cur = "/";
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals("..")) {
                cur = parentOf(cur);
                continue;
            }
            if (isProcSelf(cur, c)) {
                cur = c.equals("self") ? "/proc/" + pid : "/proc/" + pid + "/task/" + tid;
                continue;
            }
            String next = join(cur, c);
            Path p = Path.of(next);
            if (!Files.isSymbolicLink(p)) {
                cur = next;
                continue;
            }
            if (++links > MAX_LINKS) {
                return Optional.empty();
            }
            String target;
            try {
                target = Files.readSymbolicLink(p).toString();
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
            if (next.startsWith("/proc/")) {
                // a magic link: the kernel's name for what the descriptor holds, absolute or not a path
                if (!target.startsWith("/")) {
                    return Optional.empty();
                }
                if (target.endsWith(DELETED)) {
                    target = target.substring(0, target.length() - DELETED.length());
                }
            }
            if (target.startsWith("/")) {
                cur = "/";
            }
            push(todo, target);
        }
        return Optional.of(cur);
    }

    private static boolean isProcSelf(String dir, String name) {
        return dir.equals("/proc") && (name.equals("self") || name.equals("thread-self"));
    }

    /** The components of {@code path}, in front of what is still to do ("." and empty ones dropped). */
    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty() && !parts[i].equals(".")) {
                todo.addFirst(parts[i]);
            }
        }
    }

    static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** The directory holding {@code path}; the root's is the root. */
    static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
