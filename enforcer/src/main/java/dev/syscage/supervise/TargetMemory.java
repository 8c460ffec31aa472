package dev.syscage.supervise;

import java.util.Optional;

/**
 * Read access to a stopped target: its memory (process_vm_readv) and what /proc says about it.
 * Reads may fail (bad pointer, the process died): they return empty, never throw.
 */
public interface TargetMemory {
    /** A NUL-terminated string at {@code address}, at most {@code max} bytes (PATH_MAX for paths). */
    Optional<String> readString(long address, int max);

    /**
     * A path at {@code address}, as the kernel takes one: only when its NUL comes within
     * {@code PATH_MAX} (4096) bytes; a longer one (the kernel's ENAMETOOLONG) gives nothing, never
     * its first 4096 bytes, which would name another file.
     */
    default Optional<String> readPath(long address) {
        // re-encoded, a decoded string is never shorter than the bytes it came from
        return readString(address, 4097).filter(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 4096);
    }

    /** {@code length} bytes at {@code address}. */
    Optional<byte[]> read(long address, int length);

    /** The target's current directory (/proc/TID/cwd). */
    Optional<String> cwd();

    /** What the target's descriptor points to (/proc/TID/fd/N), e.g. a directory for *at() calls. */
    Optional<String> fdPath(int fd);

    /** /proc/TID/comm. */
    Optional<String> comm();

    /** /proc/PID/exe. */
    Optional<String> exe();

    /** Parent pid and real uid from /proc/PID/status; -1 when unknown. */
    int ppid();

    int uid();
}
