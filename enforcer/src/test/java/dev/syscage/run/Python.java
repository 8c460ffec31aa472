package dev.syscage.run;

/**
 * Lines of Python that kernel tests put in front of a {@code python3 -c} script, so that the
 * script can print the errno of each call it tries on one line.
 */
public final class Python {
    /** {@code errno(call, *args)}: 0 when the call returns, else its OSError's errno. */
    public static final String ERRNO = String.join(
            "\n",
            "def errno(call, *args, **kw):",
            "    try:",
            "        call(*args, **kw)",
            "        return 0",
            "    except OSError as e:",
            "        return e.errno");

    /**
     * {@code setxattrat(path, name, value, at_flags=0, usize=16, more=0, dfd=AT_FDCWD)} and
     * {@code removexattrat(path, name, at_flags=0)} (Linux 6.13; Python has no wrapper), each
     * giving 0 or the errno. {@code usize} is the size the call is told its
     * {@code struct xattr_args} has; {@code more} fills the 8 bytes after the first version's 16.
     */
    public static final String XATTRAT = String.join(
            "\n",
            "import ctypes",
            "_libc = ctypes.CDLL(None, use_errno=True)",
            "class _XattrArgs(ctypes.Structure):",
            "    _fields_ = [('value', ctypes.c_uint64), ('size', ctypes.c_uint32), ('flags', ctypes.c_uint32),",
            "                ('more', ctypes.c_uint64)]",
            "def _syscall(nr, *args):",
            "    r = _libc.syscall(ctypes.c_long(nr), *[a if isinstance(a, bytes) else ctypes.c_long(a) for a in args])",
            "    return 0 if r == 0 else ctypes.get_errno()",
            "def setxattrat(path, name, value, at_flags=0, usize=16, more=0, dfd=-100):",
            "    buf = ctypes.create_string_buffer(value, len(value))",
            "    a = _XattrArgs(ctypes.addressof(buf), len(value), 0, more)",
            "    return _syscall(463, dfd, path.encode(), at_flags, name.encode(), ctypes.addressof(a), usize)",
            "def removexattrat(path, name, at_flags=0):",
            "    return _syscall(466, -100, path.encode(), at_flags, name.encode())");

    private Python() {}
}
