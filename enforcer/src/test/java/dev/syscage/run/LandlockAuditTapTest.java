package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.AuditNetlink;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LandlockAuditTap} against a fake kernel audit: when it starts at all, which denials are
 * the run's, and how it stops.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LandlockAuditTapTest {
    private static final LandlockRuleset RULESET =
            new LandlockRuleset(FsAccess.WRITE_FILE, 0, 0, List.of(), List.of(), Compat.REQUIRED);

    /** What the kernel would send; {@code next} waits on it as the socket would. */
    private static final class FakeAudit implements AuditNetlink {
        final BlockingQueue<Record> queue = new LinkedBlockingQueue<>();
        int enabled = 1;
        IOException refuseReadLog;
        volatile boolean closed;

        @Override
        public int enabled() {
            return enabled;
        }

        @Override
        public void setEnabled(int e) {
            enabled = e;
        }

        @Override
        public Records readLog() throws IOException {
            if (refuseReadLog != null) {
                throw refuseReadLog;
            }
            return new Records() {
                @Override
                public Record next(int timeoutMillis) throws IOException {
                    try {
                        return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException("interrupted");
                    }
                }

                @Override
                public void close() {
                    closed = true;
                }
            };
        }

        /** One denial event of {@code domain} by process {@code pid}, the domain made by {@code maker} (0: not said). */
        void denial(long serial, String domain, int maker, int pid, String path) {
            String stamp = "audit(1796669435.243:" + serial + "): ";
            queue.add(new Record(
                    1423,
                    stamp + "domain=" + domain + " blockers=fs.write_file path=\"" + path + "\" dev=\"vda\" ino=7"));
            if (maker > 0) {
                queue.add(new Record(
                        1424,
                        stamp + "domain=" + domain + " status=allocated mode=enforcing pid=" + maker
                                + " uid=0 exe=\"/usr/bin/syscage-launch\" comm=\"syscage-launch\""));
            }
            queue.add(new Record(
                    1300,
                    stamp + "arch=c000003e syscall=2 success=no exit=-13 a0=1 a1=2 a2=3 a3=4" + " items=1 ppid=1 pid="
                            + pid + " uid=0 comm=\"sh\" exe=\"/usr/bin/dash\" key=(null)"));
            queue.add(new Record(1320, stamp));
        }
    }

    private final StringWriter sink = new StringWriter();
    private final List<String> errors = new ArrayList<>();

    private AuditLog log() {
        return AuditLog.to(sink, "test", AuditFormat.TEXT, LogLevel.ALL, 64, errors::add);
    }

    @Test
    void startsOnlyWhereItCanWork() {
        FakeAudit audit = new FakeAudit();
        try (AuditLog log = log()) {
            assertTrue(
                    LandlockAuditTap.start(LandlockRuleset.NONE, log, audit, errors::add)
                            .isEmpty(),
                    "no ruleset");
            assertTrue(LandlockAuditTap.start(RULESET, null, audit, errors::add).isEmpty(), "no log");
            audit.enabled = 0;
            assertTrue(LandlockAuditTap.start(RULESET, log, audit, errors::add).isEmpty(), "audit off");
            audit.enabled = 1;
            audit.refuseReadLog = new IOException("bind(NETLINK_AUDIT, AUDIT_NLGRP_READLOG): errno 1");
            assertTrue(LandlockAuditTap.start(RULESET, log, audit, errors::add).isEmpty(), "not readable");
        }
        assertEquals(List.of(), errors, "nothing said");
    }

    /**
     * Only the domains the program's process made are the run's, also for its children (pid
     * 501); the last denial arrives after the run ended and before the domain's deallocation,
     * which the tap waits for.
     */
    @Test
    void logsTheDenialsOfTheProgramsDomainsAndWaitsForTheLast() throws Exception {
        FakeAudit audit = new FakeAudit();
        try (AuditLog log = log()) {
            LandlockAuditTap tap =
                    LandlockAuditTap.start(RULESET, log, audit, errors::add).orElseThrow();
            tap.watch(500);
            audit.denial(1, "aa", 500, 500, "/etc/a");
            audit.denial(2, "bb", 900, 900, "/etc/other-run");
            audit.denial(3, "aa", 0, 501, "/etc/child");
            Thread stop = new Thread(tap::close);
            stop.start();
            audit.denial(4, "aa", 0, 500, "/etc/late");
            audit.queue.add(
                    new AuditNetlink.Record(1424, "audit(1796669436.000:9): domain=aa status=deallocated denials=3"));
            stop.join(TimeUnit.MILLISECONDS.toMillis(LandlockAuditTap.DRAIN_MILLIS) + 5000);
            assertTrue(!stop.isAlive(), "close returned");
            assertEquals(3, tap.written());
            assertTrue(audit.closed, "the socket is closed");
        }
        String text = sink.toString();
        assertEquals(
                List.of(
                        "[pid 500] open(0x1, 0x2, 0x3) = -1 EACCES (rule landlock domain=aa blockers=fs.write_file"
                                + " path=/etc/a dev=vda ino=7) <0.000000>",
                        "[pid 501] open(0x1, 0x2, 0x3) = -1 EACCES (rule landlock domain=aa blockers=fs.write_file"
                                + " path=/etc/child dev=vda ino=7) <0.000000>",
                        "[pid 500] open(0x1, 0x2, 0x3) = -1 EACCES (rule landlock domain=aa blockers=fs.write_file"
                                + " path=/etc/late dev=vda ino=7) <0.000000>"),
                List.of(text.split("\n")));
        assertEquals(List.of(), errors);
    }

    /** A domain whose deallocation never comes (records lost): close gives up after its deadline. */
    @Test
    void closeIsBounded() {
        FakeAudit audit = new FakeAudit();
        try (AuditLog log = log()) {
            LandlockAuditTap tap =
                    LandlockAuditTap.start(RULESET, log, audit, errors::add).orElseThrow();
            tap.watch(500);
            audit.denial(1, "aa", 500, 500, "/etc/a");
            long t0 = System.nanoTime();
            tap.close();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(
                    ms >= LandlockAuditTap.DRAIN_MILLIS - 50 && ms < LandlockAuditTap.DRAIN_MILLIS + 3000, ms + " ms");
            assertEquals(1, tap.written());
        }
    }
}
