package dev.syscage.supervise.trace;

import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import java.util.Optional;

/** A user hook for the tests: denies opening /etc/hostname with EROFS, decides nothing else. */
public final class DenyHostnameHook implements SyscallHook {
    @Override
    public String name() {
        return "deny-hostname";
    }

    @Override
    public Optional<Decision> onSyscall(SyscallContext call) {
        return call.decoded().resolvedPath().filter("/etc/hostname"::equals).map(p -> Decision.errno(30, name()));
    }
}
