package dev.syscage.supervise.session;

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
import dev.syscage.supervise.Complaint;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.hooks.HookChain;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The supervisor's half of complain mode, without a kernel: whose denial becomes the complaint. */
class ComplainJudgeTest {
    private static final SyscallTable TABLE = SyscallTable.of(Arch.X86_64);
    private static final Policy POLICY =
            PolicyLoader.loadString("p.yaml", """
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
        return new SyscallEvent(
                1,
                0,
                10,
                10,
                Arch.X86_64,
                TABLE.byName(name).orElseThrow().nr(),
                regs,
                0,
                SyscallEvent.Source.NOTIFY,
                0);
    }

    @Test
    void aFilterDenialIsTheComplaintAndTheSuperviseRulesAreNotAsked() {
        ComplainJudge judge = new ComplainJudge(
                POLICY, java.util.Set.of("p.yaml:4", "p.yaml:6", "p.yaml:8", "p.yaml:10", "p.yaml:13", "p.yaml:20"));
        AtomicInteger asked = new AtomicInteger();
        HookChain.Verdict v = judge.verdict(event("reboot"), () -> {
            asked.incrementAndGet();
            return new HookChain.Verdict(Decision.allow("default"), null);
        });
        assertEquals(0, asked.get());
        assertEquals(Decision.complained(new Complaint("trap", 0, "p.yaml:4", "filter")), v.decision());
        assertNull(v.hook());
        HookChain.Verdict d = judge.verdict(event("mkdir"), () -> null);
        assertEquals(
                new Complaint("errno", 1, "default p.yaml:2", "filter"),
                d.decision().would());
        HookChain.Verdict w = judge.verdict(event("write", 2), () -> null);
        assertEquals(
                new Complaint("errno", 13, "p.yaml:10", "filter"), w.decision().would());
    }

    @Test
    void aSupervisorDenialOfARoutedCallIsTheComplaintAndAnAllowStaysAsItIs() {
        ComplainJudge judge = new ComplainJudge(
                POLICY, java.util.Set.of("p.yaml:4", "p.yaml:6", "p.yaml:8", "p.yaml:10", "p.yaml:13", "p.yaml:20"));
        HookChain.Verdict denied = new HookChain.Verdict(Decision.errno(13, "p.yaml:20"), "supervise-rules");
        HookChain.Verdict v = judge.verdict(event("openat"), () -> denied);
        assertEquals(Decision.complained(new Complaint("errno", 13, "p.yaml:20", "supervisor")), v.decision());
        assertEquals("supervise-rules", v.hook());
        HookChain.Verdict allowed = new HookChain.Verdict(Decision.allow("p.yaml:21"), "supervise-rules");
        assertSame(allowed, judge.verdict(event("write", 1), () -> allowed));
        judge.settled(v.decision(), 1);
        judge.settled(allowed.decision(), 5);
        assertEquals(1, judge.complaints());
    }

    @Test
    void onlyCallsTheFilterNeverDeniesMayBeAnsweredByNumber() {
        ComplainJudge judge = new ComplainJudge(
                POLICY, java.util.Set.of("p.yaml:4", "p.yaml:6", "p.yaml:8", "p.yaml:10", "p.yaml:13", "p.yaml:20"));
        assertFalse(judge.filterMayDeny(
                Arch.X86_64, TABLE.byName("openat").orElseThrow().nr()));
        assertTrue(
                judge.filterMayDeny(
                        Arch.X86_64, TABLE.byName("write").orElseThrow().nr()),
                "fd 2 is denied");
        assertTrue(
                judge.filterMayDeny(
                        Arch.X86_64, TABLE.byName("mkdir").orElseThrow().nr()),
                "by default");
        assertTrue(judge.filterMayDeny(Arch.I386, 3), "another arch: bad_arch");
    }

    @Test
    void aDenialByARuleThePolicyDidNotWriteIsTheFileSystemSections() {
        ComplainJudge judge = new ComplainJudge(POLICY, java.util.Set.of("p.yaml:6"));
        assertEquals(
                Complaint.FILESYSTEM,
                judge.verdict(event("reboot"), () -> null).decision().would().by(),
                "p.yaml:4 is not one of the policy's own rules here");
        assertEquals(
                Complaint.FILTER,
                judge.verdict(event("mkdir"), () -> null).decision().would().by(),
                "default");
        HookChain.Verdict fs = new HookChain.Verdict(Decision.errno(13, "p.yaml:3"), "supervise-rules");
        assertEquals(
                Complaint.FILESYSTEM,
                judge.verdict(event("openat"), () -> fs).decision().would().by());
        HookChain.Verdict own = new HookChain.Verdict(Decision.errno(13, "default"), "supervise-rules");
        assertEquals(
                Complaint.SUPERVISOR,
                judge.verdict(event("openat"), () -> own).decision().would().by());
    }
}
