package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import dev.syscage.supervise.ProcTargetMemory;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.metrics.Summary;
import dev.syscage.supervise.session.SupervisorSession;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A notify-mode call is recorded once, when its answer is final: a second look at a real path
 * that refuses it replaces the first look's allow (before, both were recorded with one seq), a
 * call that went away is recorded as interrupted, and the hooks (metrics, summary) are told the
 * same final decision.
 */
class OneRecordPerCallTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SyscallEvent getpid(long seq) {
        int self = (int) ProcessHandle.current().pid();
        return new SyscallEvent(seq, 0, self, self, Arch.X86_64, 39, new long[6], 0, SyscallEvent.Source.NOTIFY, 0);
    }

    /** Allows every first look, refuses every second one, and remembers what it was told. */
    private static final class Judge implements SyscallHook {
        final List<Decision> told = new ArrayList<>();

        @Override
        public String name() {
            return "judge";
        }

        @Override
        public Optional<Decision> onSyscall(SyscallContext call) {
            return Optional.of(
                    call.decoded().resolvedPath().isPresent()
                            ? Decision.errno(13, "second look")
                            : Decision.allow("first look"));
        }

        @Override
        public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
            told.add(decision);
        }
    }

    private final StringWriter sink = new StringWriter();
    private final AuditLog log = AuditLog.to(sink, "test", AuditFormat.JSONL, LogLevel.ALL, 16, e -> {});
    private final Judge judge = new Judge();
    private final SupervisorSession session =
            new SupervisorSession(new HookChain(List.of(judge), (m, e) -> {}), Decision.allow("default"), log);
    private final ProcTargetMemory mem = new ProcTargetMemory()
            .at((int) ProcessHandle.current().pid(), (int)
                    ProcessHandle.current().pid());

    private List<JsonNode> records() throws Exception {
        log.close();
        dev.syscage.supervise.audit.AuditSchema.assertValid(sink.toString());
        List<JsonNode> out = new ArrayList<>();
        for (String line : sink.toString().lines().toList()) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void aSecondLookThatRefusesIsTheCallsOnlyRecord() throws Exception {
        NotifyDecider.Outcome out = session.outcome(getpid(1), mem);
        assertEquals(Decision.allow("first look"), out.decision());
        Decision again = out.pending().recheck("/etc/locale.alias", null);
        out.pending().settle(again, -13L);
        List<JsonNode> r = records();
        assertEquals(1, r.size(), sink.toString());
        assertEquals("errno", r.get(0).get("decision").asText());
        assertEquals("second look", r.get(0).get("rule").asText());
        assertEquals("/etc/locale.alias", r.get(0).get("real_path").asText());
        assertEquals(-13, r.get(0).get("result").asInt());
        assertEquals(List.of(Decision.errno(13, "second look")), judge.told);
    }

    @Test
    void aCallThatWentAwayIsRecordedAsInterruptedWithWhatItWouldHaveGot() throws Exception {
        NotifyDecider.Outcome out = session.outcome(getpid(1), mem);
        out.pending().settle(Decision.interrupted(out.decision()), null);
        out.pending().settle(out.decision(), 0L); // a second settle is ignored
        session.outcome(getpid(2), mem).pending().settle(Decision.allow("first look"), 0L); // its restart
        List<JsonNode> r = records();
        assertEquals(2, r.size(), sink.toString());
        assertEquals("interrupted", r.get(0).get("decision").asText());
        assertEquals("allow first look", r.get(0).get("rule").asText());
        assertEquals(1, r.get(0).get("seq").asLong());
        assertEquals("allow", r.get(1).get("decision").asText());
        assertEquals(2, r.get(1).get("seq").asLong());
        Summary s = new Summary();
        judge.told.forEach(d -> s.add("getpid", d.kind(), 0));
        assertEquals(List.of(new Summary.Row("getpid", 2, 0, 0, 1, 0)), s.rows());
    }

    /** Looks before the answer (as learn does): told at once, with the first decision. */
    private static final class Early implements SyscallHook {
        final List<Decision> told = new ArrayList<>();

        @Override
        public String name() {
            return "early";
        }

        @Override
        public boolean observesBeforeAnswer() {
            return true;
        }

        @Override
        public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
            told.add(decision);
        }
    }

    @Test
    void aHookThatLooksBeforeTheAnswerIsToldBeforeItIsSent() throws Exception {
        Early early = new Early();
        SupervisorSession s = new SupervisorSession(
                new HookChain(List.of(judge, early), (m, e) -> {}), Decision.allow("default"), log);
        NotifyDecider.Outcome out = s.outcome(getpid(1), mem);
        assertEquals(List.of(Decision.allow("first look")), early.told);
        assertEquals(List.of(), judge.told, "the others wait for the final answer");
        out.pending().settle(out.pending().recheck("/x", null), -13L);
        assertEquals(List.of(Decision.allow("first look")), early.told, "told once");
        assertEquals(List.of(Decision.errno(13, "second look")), judge.told);
        assertEquals(1, records().size());
    }
}
