package dev.syscage.run;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.seccomp.SeccompRet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether the SCM_RIGHTS handoff can work with a filter. The launched process makes two calls
 * under its filter before the supervisor holds the listener: {@code prctl(PR_GET_SECCOMP)} (the
 * launcher's check that the filter is in force) and {@code sendmsg} of the listener. If the
 * filter routes either to the supervisor, the call waits for an answer nobody can give: so
 * that is found out here, by running the filter in the interpreter on those two exact calls,
 * before the process is told to send. A filter that denies them is left to the launcher, which
 * dies naming the call.
 */
final class ScmRightsPreflight {
    private static final int PR_GET_SECCOMP = 21;
    private static final int MSG_NOSIGNAL = 0x4000;

    private ScmRightsPreflight() {}

    /**
     * Empty when the handoff can work; else why not. {@code socketFd} is the launched process's
     * socket number (sendmsg's first argument), -1 when unknown.
     */
    static Optional<String> problem(byte[] filter, int socketFd) {
        Arch arch = Arch.nativeArch();
        SyscallTable table = SyscallTable.of(arch);
        Program program = Program.fromBytes(filter);
        List<String> routed = new ArrayList<>();
        table.byName("prctl").ifPresent(s -> {
            if (routes(program, SeccompData.of(s.nr(), arch.auditArch(), PR_GET_SECCOMP, 0, 0, 0, 0, 0))) {
                routed.add("prctl");
            }
        });
        table.byName("sendmsg").ifPresent(s -> {
            if (routes(program, SeccompData.of(s.nr(), arch.auditArch(), socketFd, 0, MSG_NOSIGNAL, 0, 0, 0))) {
                routed.add("sendmsg");
            }
        });
        if (routed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the policy routes " + String.join(" and ", routed) + " to the supervisor, but with the "
                + "SCM_RIGHTS handoff the program's process makes " + (routed.size() == 1 ? "that call" : "those calls")
                + " under its filter before the supervisor holds the listener (it would wait forever): let the filter "
                + "decide " + String.join(" and ", routed)
                + " itself (allow or errno), or use --listener-handoff pidfd "
                + "where pidfd_getfd is allowed");
    }

    private static boolean routes(Program program, SeccompData call) {
        int action = Interpreter.eval(program, call) & SeccompRet.SECCOMP_RET_ACTION_FULL;
        return action == SeccompRet.SECCOMP_RET_USER_NOTIF || action == SeccompRet.SECCOMP_RET_TRACE;
    }
}
