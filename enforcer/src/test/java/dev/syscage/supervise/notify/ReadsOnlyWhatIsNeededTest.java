package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Supervision;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.SuperviseRulesHook;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.session.SupervisorSession;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The supervisor reads the target's memory (the path of an openat) only for what needs it: an
 * audit record, a rule with path patterns, a race-free open. A call decided on its registers
 * alone costs no read, and then notify mode skips the ID_VALID check as well.
 */
class ReadsOnlyWhatIsNeededTest {
    /** Counts reads; the path is always "/etc/hostname". */
    private static final class CountingMemory implements TargetMemory {
        int reads;

        public Optional<String> readString(long address, int max) {
            reads++;
            return Optional.of("/etc/hostname");
        }

        public Optional<byte[]> read(long address, int length) {
            reads++;
            return Optional.empty();
        }

        public Optional<String> cwd() {
            reads++;
            return Optional.of("/");
        }

        public Optional<String> fdPath(int fd) {
            reads++;
            return Optional.empty();
        }

        public Optional<String> comm() {
            return Optional.of("t");
        }

        public Optional<String> exe() {
            return Optional.of("/t");
        }

        public int ppid() {
            return 1;
        }

        public int uid() {
            return 0;
        }
    }

    private static Supervision supervision(String rules) {
        return PolicyLoader.loadString("r.yaml", """
                version: 1
                default: allow
                rules:
                  - action: notify
                    syscalls: [openat]
                supervise:
                  default: allow
                """ + rules, LoadOptions.defaults())
                .supervision();
    }

    private static int readsFor(Supervision s, LogLevel level) {
        AuditLog log = AuditLog.to(new StringWriter(), "test", AuditFormat.JSONL, level, 16, e -> {});
        SupervisorSession session = new SupervisorSession(
                new HookChain(List.of(new SuperviseRulesHook(s)), (m, e) -> {}), SuperviseRulesHook.fallback(s), log);
        CountingMemory mem = new CountingMemory();
        SyscallEvent openat = new SyscallEvent(
                1,
                0,
                10,
                10,
                Arch.X86_64,
                257,
                new long[] {-100, 0x1000, 0, 0, 0, 0},
                0,
                SyscallEvent.Source.NOTIFY,
                0);
        NotifyDecider.Outcome out = session.outcome(openat, mem);
        out.pending().settle(out.decision(), null);
        log.close();
        assertEquals(Decision.Kind.ALLOW, out.decision().kind());
        return mem.reads;
    }

    @Test
    void anAllowedCallThatIsNotLoggedAndNoPathDecidesIsNotRead() {
        assertEquals(0, readsFor(supervision(""), LogLevel.DENIED));
        assertEquals(0, readsFor(supervision(""), LogLevel.NONE));
        assertEquals(0, readsFor(supervision("""
                  rules:
                    - syscalls: [openat]
                      when: "flags & O_CREAT"
                      decision: errno EACCES
                """), LogLevel.DENIED), "a rule on registers needs no read");
    }

    @Test
    void anAuditRecordOrAPathRuleReadsThePath() {
        assertTrue(readsFor(supervision(""), LogLevel.ALL) > 0, "the record names the path");
        assertTrue(readsFor(supervision("""
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/shadow"]
                      decision: errno EACCES
                """), LogLevel.DENIED) > 0, "the rule matches the path");
    }
}
