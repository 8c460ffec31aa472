package dev.syscage.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.supervise.hooks.HookChain;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The supervisor's half of complain mode, without a kernel: whose denial becomes the complaint. */
class ComplainJudgeTest {
    private static final SyscallTable TABLE = SyscallTable.of(Arch.X86_64);
    private static final Policy POLICY = PolicyLoader.loadString("p.yaml", """
            version: 1
            default: errno EPERM
            rules:
              - action: trap
                syscalls: [reboot]
              - action: trace
                syscalls: [openat]
              - action: allow
                syscalls: [read]
              - action: errno EACCES
                syscalls: [write]
                when: "fd == 2"
              - action: trace
                syscalls: [write]
            """, LoadOptions.defaults().withArches(List.of(Arch.X86_64)));

    private static SyscallEvent event(String name, long... args) {
        long[] regs = new long[6];
        System.arraycopy(args, 0, regs, 0, args.length);
        return new SyscallEvent(1, 0, 10, 10, Arch.X86_64, TABLE.byName(name).orElseThrow().nr(), regs, 0,
                SyscallEvent.Source.NOTIFY, 0);
    }

    @Test
    void aFilterDenialIsTheComplaintAndTheSuperviseRulesAreNotAsked() {
        ComplainJudge judge = new ComplainJudge(POLICY);
        AtomicInteger asked = new AtomicInteger();
        HookChain.Verdict v = judge.verdict(event("reboot"), () -> {
            asked.incrementAndGet();
            return new HookChain.Verdict(Decision.allow("default"), null);
        });
        assertEquals(0, asked.get());
        assertEquals(Decision.complained(new Complaint("trap", 0, "p.yaml:4", false)), v.decision());
        assertNull(v.hook());
        HookChain.Verdict d = judge.verdict(event("mkdir"), () -> null);
        assertEquals(new Complaint("errno", 1, "default p.yaml:2", false), d.decision().would());
        HookChain.Verdict w = judge.verdict(event("write", 2), () -> null);
        assertEquals(new Complaint("errno", 13, "p.yaml:10", false), w.decision().would());
    }

    @Test
    void aSupervisorDenialOfARoutedCallIsTheComplaintAndAnAllowStaysAsItIs() {
        ComplainJudge judge = new ComplainJudge(POLICY);
        HookChain.Verdict denied = new HookChain.Verdict(Decision.errno(13, "p.yaml:20"), "supervise-rules");
        HookChain.Verdict v = judge.verdict(event("openat"), () -> denied);
        assertEquals(Decision.complained(new Complaint("errno", 13, "p.yaml:20", true)), v.decision());
        assertEquals("supervise-rules", v.hook());
        HookChain.Verdict allowed = new HookChain.Verdict(Decision.allow("p.yaml:21"), "supervise-rules");
        assertSame(allowed, judge.verdict(event("write", 1), () -> allowed));
        judge.settled(v.decision(), 1);
        judge.settled(allowed.decision(), 5);
        assertEquals(1, judge.complaints());
    }

    @Test
    void onlyCallsTheFilterNeverDeniesMayBeAnsweredByNumber() {
        ComplainJudge judge = new ComplainJudge(POLICY);
        assertFalse(judge.filterMayDeny(Arch.X86_64, TABLE.byName("openat").orElseThrow().nr()));
        assertTrue(judge.filterMayDeny(Arch.X86_64, TABLE.byName("write").orElseThrow().nr()), "fd 2 is denied");
        assertTrue(judge.filterMayDeny(Arch.X86_64, TABLE.byName("mkdir").orElseThrow().nr()), "by default");
        assertTrue(judge.filterMayDeny(Arch.I386, 3), "another arch: bad_arch");
    }
}
