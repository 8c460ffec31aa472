package dev.syscage.nativeaccess;

import java.nio.ByteBuffer;

/**
 * Reads another process's memory: {@code process_vm_readv} of one range into a buffer the
 * handle owns (allocated once; one handle per thread). Returns the bytes read or -errno, never
 * throws. {@link #create} gives the kernel's ({@link JnaProcessVm}); tests use fakes.
 */
public interface ProcessVm {
    /** The most one call reads. */
    int MAX = 4096;

    /** process_vm_readv(tid, {buffer, length}, {address, length}): bytes read into {@link #buffer}, or -errno. */
    int process_vm_readv(int tid, long address, int length);

    /** What the last read left, from offset 0. */
    ByteBuffer buffer();

    static ProcessVm create() {
        return new JnaProcessVm();
    }
}
