package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.SyscallEvent;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The audit log's two formats, exactly, its level filter, and what it does when things go wrong. */
class AuditLogTest {
    private static final Decision DENY = Decision.errno(13, "web.yaml:12");
    private static final Decision ALLOW = Decision.allow("web.yaml:10");
    private static final Decision DEFAULT = Decision.allow("default");
    private static final Decision KILL = Decision.kill("web.yaml:20");

    private final StringWriter sink = new StringWriter();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    private AuditLog log(AuditFormat format, LogLevel level) {
        return AuditLog.to(sink, "test.log", format, level, 8, errors::add);
    }

    @Test
    void jsonLineHasEveryFieldInOrder() {
        String run;
        try (AuditLog log = log(AuditFormat.JSONL, LogLevel.ALL)) {
            log.record(FakeCall.openat(7, 1234, 1235), DENY, "rules", 13_000);
            run = log.run();
        }
        assertEquals(
                "{\"version\":2,\"record\":\"call\",\"run\":\"" + run
                        + "\",\"ts\":\"2024-05-01T12:34:56.000000013Z\",\"seq\":7,"
                        + "\"pid\":1234,\"tid\":1235,\"ppid\":1200,"
                        + "\"uid\":1000,\"comm\":\"cat\",\"exe\":\"/usr/bin/cat\",\"arch\":\"x86_64\",\"syscall\":\"openat\","
                        + "\"nr\":257,\"args\":["
                        + "{\"name\":\"dfd\",\"kind\":\"fd\",\"value\":\"0xffffffffffffff9c\",\"text\":\"AT_FDCWD\"},"
                        + "{\"name\":\"filename\",\"kind\":\"path\",\"value\":\"0x7ffd12345678\",\"text\":\"\\\"/etc/passwd\\\"\"},"
                        + "{\"name\":\"flags\",\"kind\":\"flags\",\"value\":\"0x80000\",\"text\":\"O_RDONLY|O_CLOEXEC\"},"
                        + "{\"name\":\"mode\",\"kind\":\"mode\",\"value\":\"0x0\",\"text\":\"0\"}],"
                        + "\"path\":\"/etc/passwd\",\"resolved_path\":\"/etc/passwd\",\"resolved_path2\":null,\"real_path\":null,"
                        + "\"decision\":\"errno\",\"errno\":13,"
                        + "\"errno_name\":\"EACCES\",\"rule\":\"web.yaml:12\",\"would\":null,\"result\":null,\"hook\":\"rules\",\"latency_ns\":13000,"
                        + "\"source\":\"trace\"}\n",
                sink.toString());
        AuditSchema.assertValid(sink.toString());
    }

    @Test
    void jsonWritesNullWhereUnknownOrNotApplicable() {
        SyscallEvent e = new SyscallEvent(1, 0, 5, 5, Arch.AARCH64, 221, new long[6], 0, SyscallEvent.Source.NOTIFY, 0);
        FakeCall gone = new FakeCall(
                e,
                "execve",
                FakeCall.Memory.GONE,
                () -> new DecodedCall("execve", List.of(), Optional.empty(), Optional.empty()));
        String run;
        try (AuditLog log = log(AuditFormat.JSONL, LogLevel.ALL)) {
            log.record(gone, KILL, 2_500);
            run = log.run();
        }
        assertEquals(
                "{\"version\":2,\"record\":\"call\",\"run\":\"" + run
                        + "\",\"ts\":\"1970-01-01T00:00:00.000000000Z\",\"seq\":1,"
                        + "\"pid\":5,\"tid\":5,\"ppid\":null,"
                        + "\"uid\":null,\"comm\":null,\"exe\":null,\"arch\":\"aarch64\",\"syscall\":\"execve\",\"nr\":221,"
                        + "\"args\":[],\"path\":null,\"resolved_path\":null,\"resolved_path2\":null,\"real_path\":null,"
                        + "\"decision\":\"kill\",\"errno\":null,"
                        + "\"errno_name\":null,\"rule\":\"web.yaml:20\",\"would\":null,\"result\":null,\"hook\":null,\"latency_ns\":2500,"
                        + "\"source\":\"notify\"}\n",
                sink.toString());
    }

    @Test
    void textLinesLookLikeStrace() {
        try (AuditLog log = log(AuditFormat.TEXT, LogLevel.ALL)) {
            log.record(FakeCall.openat(1, 1234, 1234), ALLOW, 13_999);
            log.record(FakeCall.openat(2, 1234, 1240), DENY, 9_000);
            log.record(FakeCall.openat(3, 1234, 1234), KILL, "my-hook", 1_234_567_891);
            log.record(FakeCall.openat(4, 1234, 1234), Decision.errno(4000, "x.yaml:1"), 0);
            log.record(FakeCall.openat(5, 1234, 1234), Decision.allow(null), 999);
            log.record(FakeCall.openat(6, 1234, 1234), null, ALLOW, "/etc/real", 3L, null, 1_000);
            log.record(FakeCall.openat(7, 1234, 1234), null, ALLOW, null, -2L, null, 1_000);
            log.record(FakeCall.openat(8, 1234, 1234), null, Decision.interrupted(ALLOW), null, null, null, 1_000);
            log.record(
                    FakeCall.openat(9, 1234, 1234),
                    Decision.complained(new dev.syscage.supervise.Complaint("errno", 13, "web.yaml:12", "filter")),
                    1_000);
        }
        String call = "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC, 0)";
        assertEquals(
                "[pid 1234] " + call + " = ALLOW (rule web.yaml:10) <0.000013>\n"
                        + "[pid 1240] " + call + " = -1 EACCES (rule web.yaml:12) <0.000009>\n"
                        + "[pid 1234] " + call + " = KILL (rule web.yaml:20, hook my-hook) <1.234567>\n"
                        + "[pid 1234] " + call + " = -1 4000 (rule x.yaml:1) <0.000000>\n"
                        + "[pid 1234] " + call + " = ALLOW (rule default) <0.000000>\n"
                        + "[pid 1234] " + call + " = ALLOW 3 (rule web.yaml:10) <0.000001>\n"
                        + "[pid 1234] " + call + " = ALLOW -1 ENOENT (rule web.yaml:10) <0.000001>\n"
                        + "[pid 1234] " + call + " = ? INTERRUPTED (rule allow web.yaml:10) <0.000001>\n"
                        + "[pid 1234] " + call
                        + " = ALLOW, would be -1 EACCES (rule web.yaml:12, complain) <0.000001>\n",
                sink.toString());
    }

    @Test
    void levelsKeepWhatTheyNameAndDecodeNothingElse() {
        assertEquals(List.of(1L, 2L, 3L, 4L), seqsKeptAt(LogLevel.ALL));
        assertEquals(List.of(2L, 3L, 4L), seqsKeptAt(LogLevel.DECISIONS));
        assertEquals(List.of(3L, 4L), seqsKeptAt(LogLevel.DENIED));
        assertEquals(List.of(), seqsKeptAt(LogLevel.NONE));
    }

    @Test
    void aComplaintIsKeptAsTheDenialItWouldHaveBeen() {
        StringWriter out = new StringWriter();
        try (AuditLog log = AuditLog.to(out, "t", AuditFormat.TEXT, LogLevel.DENIED, 8, errors::add)) {
            log.record(
                    FakeCall.openat(1, 100, 100),
                    Decision.complained(new dev.syscage.supervise.Complaint("kill", 0, "default p.yaml:2", "filter")),
                    1);
        }
        assertEquals(1, out.toString().lines().count(), out.toString());
    }

    /** Event 1 left to the default, 2 allowed by a rule, 3 denied by a rule, 4 killed by a hook. */
    private List<Long> seqsKeptAt(LogLevel level) {
        StringWriter out = new StringWriter();
        List<FakeCall> calls = new ArrayList<>();
        try (AuditLog log = AuditLog.to(out, "t", AuditFormat.TEXT, level, 8, errors::add)) {
            for (int i = 1; i <= 4; i++) {
                calls.add(FakeCall.openat(i, 100, 100));
            }
            log.record(calls.get(0), DEFAULT, 1);
            log.record(calls.get(1), ALLOW, 1);
            log.record(calls.get(2), DENY, 1);
            log.record(calls.get(3), Decision.kill("default"), "guard", 1);
        }
        List<Long> kept = new ArrayList<>();
        for (FakeCall c : calls) {
            assertTrue(c.decodes() <= 1, "decoded at most once");
            if (c.decodes() == 1) {
                kept.add(c.event().seq());
            }
        }
        assertEquals(kept.size(), out.toString().lines().count(), "a line for each decoded event");
        return kept;
    }

    @Test
    void levelAndFormatWordsParse() {
        assertEquals(LogLevel.DECISIONS, LogLevel.byWord("decisions").orElseThrow());
        assertTrue(LogLevel.byWord("DENIED").isEmpty());
        assertEquals(AuditFormat.JSONL, AuditFormat.parse("jsonl").orElseThrow());
        assertEquals(AuditFormat.TEXT, AuditFormat.parse("text").orElseThrow());
        assertTrue(AuditFormat.parse("json").isEmpty());
    }

    @Test
    void aDecoderThatThrowsLeavesTheRawRegisters() {
        FakeCall broken = new FakeCall(FakeCall.openat(1, 9, 9).event(), "openat", FakeCall.Memory.CAT, () -> {
            throw new IllegalStateException("decoder bug");
        });
        try (AuditLog log = log(AuditFormat.TEXT, LogLevel.ALL)) {
            log.record(broken, ALLOW, 1000);
        }
        assertEquals(
                "[pid 9] openat(0xffffffffffffff9c, 0x7ffd12345678, 0x80000, 0x0, 0x0, 0x0) = ALLOW"
                        + " (rule web.yaml:10) <0.000001>\n",
                sink.toString());
    }

    @Test
    void recordAfterCloseIsRefused() {
        AuditLog log = log(AuditFormat.JSONL, LogLevel.ALL);
        log.close();
        log.close();
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> log.record(FakeCall.openat(1, 1, 1), ALLOW, 1));
        assertEquals("audit log test.log is closed", e.getMessage());
    }

    @Test
    void aWriteErrorIsReportedOnceAndTheLogSaysHowManyWereLost() {
        Writer full = new Writer() {
            private int chars;

            @Override
            public void write(char[] buf, int off, int len) throws IOException {
                chars += len;
                if (chars > 3 * 101) {
                    throw new IOException("No space left on device");
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        AuditLog log = AuditLog.to(full, "/full/audit.log", AuditFormat.TEXT, LogLevel.ALL, 4, errors::add);
        for (int i = 1; i <= 10; i++) {
            log.record(FakeCall.openat(i, 1, 1), ALLOW, 1000);
        }
        log.close(); // does not throw: the run says what the log lacks
        // each line is 101 characters: lines 1-3 fit, the 4th write fails
        assertEquals(
                Optional.of("write failed after 3 records (No space left on device); 7 records were not written"),
                log.failure());
        assertEquals(3, log.written());
        assertEquals(7, log.lost());
        assertEquals(
                List.of("audit log /full/audit.log: write failed after 3 records: No space left on device"), errors);
    }

    @Test
    void aSinkThatThrowsUncheckedNeitherHangsNorPassesSilently() {
        Writer broken = new Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
                throw new UnsupportedOperationException("read-only sink");
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        AuditLog log = AuditLog.to(broken, "ro", AuditFormat.TEXT, LogLevel.ALL, 2, errors::add);
        for (int i = 1; i <= 20; i++) {
            log.record(FakeCall.openat(i, 1, 1), ALLOW, 1000);
        }
        log.close();
        assertEquals(
                Optional.of("write failed after 0 records (java.lang.UnsupportedOperationException:"
                        + " read-only sink); 20 records were not written"),
                log.failure());
        assertEquals(1, errors.size());
    }

    @Test
    void timestampsKeepNineFractionDigits() {
        Timestamps t = new Timestamps();
        assertEquals("2024-05-01T12:34:56.000000013Z", t.format(FakeCall.WALL));
        assertEquals("2024-05-01T12:34:57.100000000Z", t.format(FakeCall.WALL + 1_099_999_987L));
        assertEquals("1969-12-31T23:59:59.999999999Z", t.format(-1));
    }
}
