package dev.syscage.supervise.decode;

import java.util.List;

/**
 * How to decode one syscall, worked out once per architecture: its name, its arguments, and
 * which of them give the path a rule sees ({@code path}, the first path argument), the directory
 * that path is relative to ({@code dirfd}) and the flags that may hold AT_EMPTY_PATH
 * ({@code atFlags}); for a call with a second path (rename, link: the destination), that one
 * ({@code path2}) and its directory ({@code dirfd2}). Each is an argument index or -1.
 */
record CallShape(String name, List<ArgSpec> args, int path, int dirfd, int atFlags, int path2, int dirfd2) {

    CallShape {
        args = List.copyOf(args);
    }
}
