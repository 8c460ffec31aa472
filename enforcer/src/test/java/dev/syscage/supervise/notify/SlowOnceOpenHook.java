package dev.syscage.supervise.notify;

import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import java.util.Optional;

/**
 * A user hook for the restart test: the first open of a file named {@code slow-target} takes
 * 300 ms to look at; later ones are quick and say so on standard error, so a test can see that
 * the call came back (restarted) to the supervisor. Decides nothing.
 */
public final class SlowOnceOpenHook implements SyscallHook {
    private int seen;

    @Override
    public String name() {
        return "slow-once";
    }

    @Override
    public Optional<Decision> onSyscall(SyscallContext call) {
        if (call.decoded()
                .resolvedPath()
                .filter(p -> p.endsWith("/slow-target"))
                .isEmpty()) {
            return Optional.empty();
        }
        if (seen++ == 0) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            System.err.println("slow-once: looked again");
        }
        return Optional.empty();
    }
}
