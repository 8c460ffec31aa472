package dev.syscage.supervise.decode;

import dev.syscage.supervise.TargetMemory;
import java.util.Optional;

/** A target whose memory and /proc entries cannot be read: every pointer prints as itself. */
public enum NoMemory implements TargetMemory {
    INSTANCE;

    @Override
    public Optional<String> readString(long address, int max) {
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> read(long address, int length) {
        return Optional.empty();
    }

    @Override
    public Optional<String> cwd() {
        return Optional.empty();
    }

    @Override
    public Optional<String> fdPath(int fd) {
        return Optional.empty();
    }

    @Override
    public Optional<String> comm() {
        return Optional.empty();
    }

    @Override
    public Optional<String> exe() {
        return Optional.empty();
    }

    @Override
    public int ppid() {
        return -1;
    }

    @Override
    public int uid() {
        return -1;
    }
}
