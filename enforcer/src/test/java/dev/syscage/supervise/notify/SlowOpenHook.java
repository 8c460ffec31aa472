package dev.syscage.supervise.notify;

import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import java.util.Optional;

/**
 * A user hook for the signal-storm test: takes 300 ms to look at any open of a file named
 * {@code slow-target}, decides nothing.
 */
public final class SlowOpenHook implements SyscallHook {
    @Override
    public String name() {
        return "slow-open";
    }

    @Override
    public Optional<Decision> onSyscall(SyscallContext call) {
        if (call.decoded()
                .resolvedPath()
                .filter(p -> p.endsWith("/slow-target"))
                .isPresent()) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Optional.empty();
    }
}
