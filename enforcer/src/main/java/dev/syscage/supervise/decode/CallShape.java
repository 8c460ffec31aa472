package dev.syscage.supervise.decode;

import java.util.List;

/**
 * How to decode one syscall, worked out once per architecture: its name, its arguments, and
 * which of them give the path a rule sees ({@code path}, the first path argument), the directory
 * that path is relative to ({@code dirfd}) and the flags that may hold AT_EMPTY_PATH
 * ({@code atFlags}); each is an argument index or -1.
 */
record CallShape(String name, List<ArgSpec> args, int path, int dirfd, int atFlags) {

    CallShape {
        args = List.copyOf(args);
    }
}
