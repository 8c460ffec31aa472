package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SupervisorSession;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.trace.ProcTargetMemory;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A call restarted after a signal arrives as a second notification: the session records it
 * once when it is decided the same way, and again when the decision changed.
 */
class NotifyResentCallTest {
    private static SyscallEvent getpid(long seq) {
        int self = (int) ProcessHandle.current().pid();
        return new SyscallEvent(seq, 0, self, self, Arch.X86_64, 39, new long[6], 0, SyscallEvent.Source.NOTIFY, 0);
    }

    private static long lines(StringWriter w) {
        return w.toString().lines().count();
    }

    @Test
    void aRestartDecidedTheSameWayIsRecordedOnceAChangedOneAgain() {
        StringWriter sink = new StringWriter();
        AuditLog log = AuditLog.to(sink, "test", AuditFormat.JSONL, LogLevel.ALL, 16, e -> { });
        SupervisorSession session = new SupervisorSession(new HookChain(List.of(), (m, e) -> { }), Decision.allow("default"), log);
        var mem = new ProcTargetMemory().at((int) ProcessHandle.current().pid(), (int) ProcessHandle.current().pid());
        NotifyDecider.Outcome first = session.decide(getpid(1), mem, null);
        NotifyDecider.Outcome again = session.decide(getpid(2), mem, first);
        NotifyDecider.Outcome changed = new NotifyDecider.Outcome(Decision.errno(1, "x"), Optional.empty(), Optional.empty());
        session.decide(getpid(3), mem, changed);
        log.close();
        assertEquals(first, again);
        assertEquals(2, lines(sink), sink.toString());
    }
}
