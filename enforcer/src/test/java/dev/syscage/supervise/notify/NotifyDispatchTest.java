package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.hooks.HookChain;
import dev.syscage.supervise.session.SupervisorSession;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The notify dispatch without a kernel: a fake listener delivers notifications, a real session
 * decides and writes the audit log, and what the supervisor sent and recorded is checked. The
 * caller is this JVM's own thread id, so its process is found in /proc as for a real caller;
 * nothing is killed (the kill is a fake) and nothing is opened.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NotifyDispatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ME = (int) ProcessHandle.current().pid();
    private static final int GETPID = 39;
    private static final int GETUID = 102;
    private static final int GETGID = 104;
    private static final int GETPPID = 110;

    /** Allows getpid and getppid, fails getuid with EPERM, kills getgid. */
    private static final class ByNumber implements SyscallHook {
        @Override
        public String name() {
            return "by-number";
        }

        @Override
        public Optional<Decision> onSyscall(SyscallContext call) {
            return Optional.of(
                    switch (call.event().nr()) {
                        case GETUID -> Decision.errno(EPERM, "no uid");
                        case GETGID -> Decision.kill("no gid");
                        default -> Decision.allow("fine");
                    });
        }
    }

    private final StringWriter sink = new StringWriter();
    private final AuditLog log = AuditLog.to(sink, "test", AuditFormat.JSONL, LogLevel.ALL, 16, e -> {});
    private final SupervisorSession session =
            new SupervisorSession(new HookChain(List.of(new ByNumber()), (m, e) -> {}), Decision.allow("default"), log);
    private final FakeSeccompListener listener = new FakeSeccompListener();
    private final List<Integer> killed = new ArrayList<>();

    /** Dispatches every queued notification as the receive loop would; the number of calls numbered. */
    private long dispatchAll() {
        Answering answering = new Answering(listener, killed::add);
        ViewCache views = new ViewCache(ViewWatch.NONE.caches());
        ProcessIds ids = new ProcessIds(views);
        RaceFreeCalls calls = new RaceFreeCalls(
                answering, new FdInjector(listener), new FifoOpens(listener, LandlockDomain.NONE), views, ids);
        NotifyDispatch dispatch = new NotifyDispatch(session, ViewWatch.NONE, views, ids, answering, calls);
        while (listener.recv() == 0) {
            dispatch.dispatch(listener.notification());
        }
        return dispatch.calls();
    }

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
    void eachDecisionIsSentAsItsAnswerAndRecordedOnce() throws Exception {
        listener.deliver(1, ME, GETPID).deliver(2, ME, GETUID).deliver(3, ME, GETGID);
        assertEquals(3, dispatchAll());
        assertEquals(
                List.of(
                        new FakeSeccompListener.Sent(1, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE),
                        new FakeSeccompListener.Sent(2, -EPERM, 0),
                        new FakeSeccompListener.Sent(3, -ENOSYS, 0)),
                listener.sent);
        assertEquals(List.of(ME), killed, "the kill goes to the caller's process");
        List<JsonNode> r = records();
        assertEquals(3, r.size(), sink.toString());
        assertRecord(r.get(0), 1, "getpid", "allow", "fine");
        assertTrue(r.get(0).get("result").isNull(), "the kernel ran it: no result of ours");
        assertRecord(r.get(1), 2, "getuid", "errno", "no uid");
        assertEquals(EPERM, r.get(1).get("errno").asInt());
        assertEquals(-EPERM, r.get(1).get("result").asInt());
        assertRecord(r.get(2), 3, "getgid", "kill", "no gid");
        assertTrue(r.get(2).get("result").isNull(), "a killed process gets nothing back");
    }

    @Test
    void aCallGoneBeforeItsAnswerIsRecordedAsInterrupted() throws Exception {
        listener.deliver(7, ME, GETPPID).deliver(8, ME, GETPID);
        listener.sendErrors.put(7L, new ArrayDeque<>(List.of(-EINTR, -ENOENT))); // a signal, then gone
        assertEquals(2, dispatchAll());
        assertEquals(List.of(new FakeSeccompListener.Sent(8, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE)), listener.sent);
        List<JsonNode> r = records();
        assertEquals(2, r.size(), sink.toString());
        assertRecord(r.get(0), 1, "getppid", "interrupted", "allow fine");
        assertTrue(r.get(0).get("result").isNull());
        assertRecord(r.get(1), 2, "getpid", "allow", "fine");
    }

    @Test
    void aKillIsNotSentWhenTheNotificationIsNoLongerValid() throws Exception {
        listener.deliver(5, ME, GETGID);
        listener.idValidResult.put(5L, -ENOENT); // the thread died; its pid may be another's by now
        assertEquals(1, dispatchAll());
        assertEquals(List.of(), killed);
        assertEquals(List.of(), listener.sent);
        assertRecord(records().get(0), 1, "getgid", "interrupted", "kill no gid");
    }

    @Test
    void theSupervisorEndsWhenTheListenerHangsUpAndCountsTheCalls() throws Exception {
        listener.deliver(1, ME, GETPID).deliver(2, ME, GETUID);
        NotifySupervisor sup =
                new NotifySupervisor(() -> listener, session, ViewWatch.NONE, Optional.empty(), LandlockDomain.NONE);
        sup.run(); // on this thread: returns once RECV says no process is left and poll says POLLHUP
        assertEquals(2L, sup.finished().get(1, TimeUnit.SECONDS));
        assertEquals(
                List.of(
                        new FakeSeccompListener.Sent(1, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE),
                        new FakeSeccompListener.Sent(2, -EPERM, 0)),
                listener.sent);
        assertEquals(2, records().size());
    }

    private static void assertRecord(JsonNode r, long seq, String syscall, String decision, String rule) {
        assertEquals(seq, r.get("seq").asLong(), r.toString());
        assertEquals(syscall, r.get("syscall").asText(), r.toString());
        assertEquals(decision, r.get("decision").asText(), r.toString());
        assertEquals(rule, r.get("rule").asText(), r.toString());
        assertEquals(ME, r.get("pid").asInt(), r.toString());
        assertEquals("notify", r.get("source").asText(), r.toString());
    }
}
