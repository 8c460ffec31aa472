package dev.syscage.supervise;

import java.util.List;
import java.util.Optional;

/**
 * A syscall decoded for people and for path rules: strace-like text, each argument decoded, and
 * the path the call names, as given and resolved the way the kernel would (relative to the
 * dirfd or the cwd, "." and ".." folded; symlinks are not followed). A call with a second path
 * (rename, link, pivot_root, move_mount: where it goes) has that one as given in
 * {@code otherPaths} and resolved in {@code otherResolvedPaths} (an empty Optional when it could
 * not be read or resolved); path rules must hold for it as well.
 */
public record DecodedCall(
        String name,
        List<DecodedArg> args,
        Optional<String> path,
        Optional<String> resolvedPath,
        List<Optional<String>> otherPaths,
        List<Optional<String>> otherResolvedPaths) {

    public DecodedCall {
        args = List.copyOf(args);
        otherPaths = List.copyOf(otherPaths);
        otherResolvedPaths = List.copyOf(otherResolvedPaths);
        if (otherPaths.size() != otherResolvedPaths.size()) {
            throw new IllegalArgumentException("one resolved path for each other path");
        }
    }

    /** A call with at most one path. */
    public DecodedCall(String name, List<DecodedArg> args, Optional<String> path, Optional<String> resolvedPath) {
        this(name, args, path, resolvedPath, List.of(), List.of());
    }

    /** {@code openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)}. */
    public String text() {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < args.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(args.get(i).text());
        }
        return sb.append(')').toString();
    }

    /**
     * One argument: its parameter name, raw value, and text (a quoted string, flag names, a
     * number). {@code kind} is a bounded word: fd, path, string, flags, mode, int, pointer, ...
     */
    public record DecodedArg(String name, String kind, long raw, String text) {}
}
