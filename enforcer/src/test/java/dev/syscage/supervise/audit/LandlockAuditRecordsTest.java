package dev.syscage.supervise.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.model.Supervision.LogLevel;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kernel's audit records of Landlock denials, as this kernel (6.18) wrote them for
 * {@code sh -c 'echo x > /tmp/llx/out'} in a domain without write_file there and for a program's
 * connect, bind and kill in a domain without ports and with the signal scope: parsed, put
 * together by serial, and written to the audit log as {@code source: landlock}.
 */
class LandlockAuditRecordsTest {
    private static final String ACCESS = "audit(1796669435.243:214): domain=11317df93 blockers=fs.write_file"
            + " path=\"/tmp/llx/out\" dev=\"vda\" ino=2147228";
    private static final String DOMAIN = "audit(1796669435.243:214): domain=11317df93 status=allocated mode=enforcing"
            + " pid=4660 uid=0 exe=\"/work/wt-llaudit/native/build/syscage-launch\" comm=\"syscage-launch\"";
    private static final String SYSCALL = "audit(1796669435.243:214): arch=c000003e syscall=257 success=no exit=-13"
            + " a0=ffffff9c a1=556f36ca99b0 a2=241 a3=1b6 items=0 ppid=4611 pid=4660 auid=4294967295 uid=0 gid=0"
            + " euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"sh\" exe=\"/usr/bin/dash\""
            + " key=(null)";
    private static final String PROCTITLE =
            "audit(1796669435.243:214): proctitle=7368002D63006563686F2078203E202F746D702F6C6C782F6F75743B20736C65657020302E31";
    private static final String EOE = "audit(1796669435.243:214): ";
    private static final String DEALLOCATED =
            "audit(1796669435.479:215): domain=11317df93 status=deallocated denials=1";

    @Test
    void aRecordSplitsIntoStampAndFields() {
        KernelAuditText t = KernelAuditText.parse(ACCESS).orElseThrow();
        assertEquals(1796669435243L, t.epochMillis());
        assertEquals(214, t.serial());
        assertEquals(
                Map.of(
                        "domain",
                        "11317df93",
                        "blockers",
                        "fs.write_file",
                        "path",
                        "/tmp/llx/out",
                        "dev",
                        "vda",
                        "ino",
                        "2147228"),
                t.fields());
        assertEquals(
                List.of("domain", "blockers", "path", "dev", "ino"),
                List.copyOf(t.fields().keySet()));
        KernelAuditText s = KernelAuditText.parse(SYSCALL).orElseThrow();
        assertEquals("(null)", s.fields().get("key"));
        assertEquals("sh", s.fields().get("comm"));
        assertEquals("", KernelAuditText.parse(EOE).orElseThrow().fields().getOrDefault("x", ""));
        assertTrue(KernelAuditText.parse("type=1423 msg=audit(1:2): x=y").isEmpty());
        assertTrue(KernelAuditText.parse("audit(1.x:2): x=y").isEmpty());
    }

    /** A path with a space (or quote, or a byte past '~') is hex-encoded, unquoted; other fields are not decoded. */
    @Test
    void untrustedStringsWrittenInHexAreDecoded() {
        KernelAuditText t = KernelAuditText.parse("audit(1.5:9): domain=ab blockers=fs.make_reg"
                        + " path=2F746D702F6120622F22C3A9 dev=\"vda\" ino=12 ocomm=41 opid=10")
                .orElseThrow();
        assertEquals("/tmp/a b/\"é", t.fields().get("path"));
        assertEquals("A", t.fields().get("ocomm"));
        assertEquals("10", t.fields().get("opid"));
        assertEquals("ab", t.fields().get("domain"));
        assertEquals(1005L, t.epochMillis());
    }

    @Test
    void anEventIsCompleteAtItsEndOfEvent() {
        LandlockDenials c = new LandlockDenials();
        assertEquals(List.of(), c.accept(LandlockDenials.AUDIT_LANDLOCK_ACCESS, ACCESS, 0));
        assertEquals(List.of(), c.accept(LandlockDenials.AUDIT_LANDLOCK_DOMAIN, DOMAIN, 0));
        assertEquals(List.of(), c.accept(LandlockDenials.AUDIT_SYSCALL, SYSCALL, 0));
        assertEquals(List.of(), c.accept(1327, PROCTITLE, 0));
        List<LandlockDenial> done = c.accept(LandlockDenials.AUDIT_EOE, EOE, 0);
        assertEquals(1, done.size());
        LandlockDenial d = done.get(0);
        assertEquals("11317df93", d.domain());
        assertEquals(List.of("fs.write_file"), d.blockers());
        assertEquals(
                List.of(Map.entry("path", "/tmp/llx/out"), Map.entry("dev", "vda"), Map.entry("ino", "2147228")),
                d.object());
        assertEquals(
                new LandlockDenial.Domain(
                        "11317df93", 4660, 0, "/work/wt-llaudit/native/build/syscage-launch", "syscage-launch"),
                d.allocatedBy());
        assertEquals(257, d.call().nr());
        assertEquals(4660, d.call().pid());
        assertEquals(4611, d.call().ppid());
        assertEquals(0xc000003e, d.call().auditArch());
        assertEquals(-13L, d.call().exit());
        assertEquals(0xffffff9cL, d.call().args()[0]);
        assertEquals(13, d.errno());
        assertEquals(
                "landlock domain=11317df93 blockers=fs.write_file path=/tmp/llx/out dev=vda ino=2147228", d.rule());
        assertTrue(c.deallocated("11317df93").isEmpty());
        assertEquals(List.of(), c.accept(LandlockDenials.AUDIT_LANDLOCK_DOMAIN, DEALLOCATED, 0));
        assertEquals(1L, c.deallocated("11317df93").orElseThrow());
        assertTrue(!c.hasPending());
    }

    /** Two events' records interleaved (two processes denied at once): each takes its own call. */
    @Test
    void interleavedEventsArePutTogetherBySerial() {
        LandlockDenials c = new LandlockDenials();
        c.accept(LandlockDenials.AUDIT_LANDLOCK_ACCESS, ACCESS, 0);
        c.accept(
                LandlockDenials.AUDIT_LANDLOCK_ACCESS,
                "audit(1796669435.244:215): domain=11317df93" + " blockers=net.connect_tcp daddr=127.0.0.1 dest=80",
                0);
        c.accept(
                LandlockDenials.AUDIT_SYSCALL,
                "audit(1796669435.244:215): arch=c000003e syscall=42 success=no"
                        + " exit=-13 a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=4660 pid=4700 uid=0 comm=\"curl\" exe=\"/usr/bin/curl\"",
                0);
        c.accept(LandlockDenials.AUDIT_SYSCALL, SYSCALL, 0);
        List<LandlockDenial> second = c.accept(LandlockDenials.AUDIT_EOE, "audit(1796669435.244:215): ", 0);
        List<LandlockDenial> first = c.accept(LandlockDenials.AUDIT_EOE, EOE, 0);
        assertEquals(4700, second.get(0).call().pid());
        assertEquals(List.of("net.connect_tcp"), second.get(0).blockers());
        assertEquals(
                "landlock domain=11317df93 blockers=net.connect_tcp daddr=127.0.0.1 dest=80",
                second.get(0).rule());
        assertEquals(4660, first.get(0).call().pid());
        assertEquals("/tmp/llx/out", first.get(0).field("path").orElseThrow());
    }

    /** TCP ports and signals, as this kernel wrote them for a Python program in a domain with no port and the signal scope. */
    @Test
    void portsAndSignalsKeepTheirObjectFields() {
        String stamp = "audit(1796670499.607:%d): ";
        String syscall = stamp + "arch=c000003e syscall=%d success=no exit=%d a0=3 a1=7fffc59692b0 a2=10 a3=0 items=0"
                + " ppid=23963 pid=24006 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0"
                + " tty=(none) ses=4294967295 comm=\"python3\" exe=\"/root/.pyenv/versions/3.11.7/bin/python3.11\" key=(null)";
        String[][] events = {
            {"295", "domain=11317e93e blockers=net.connect_tcp daddr=127.0.0.1 dest=80", "42", "-13"},
            {"296", "domain=11317e93e blockers=net.bind_tcp saddr=127.0.0.1 src=8089", "49", "-13"},
            {"297", "domain=11317e93e blockers=scope.signal opid=1 ocomm=\"process_api\"", "62", "-1"}
        };
        LandlockDenials c = new LandlockDenials();
        List<AuditRecord> out = new java.util.ArrayList<>();
        for (String[] e : events) {
            int serial = Integer.parseInt(e[0]);
            c.accept(LandlockDenials.AUDIT_LANDLOCK_ACCESS, stamp.formatted(serial) + e[1], 0);
            c.accept(
                    LandlockDenials.AUDIT_SYSCALL,
                    syscall.formatted(serial, Integer.parseInt(e[2]), Integer.parseInt(e[3])),
                    0);
            c.accept(LandlockDenials.AUDIT_EOE, stamp.formatted(serial), 0).forEach(d -> out.add(d.toAuditRecord()));
        }
        assertEquals(
                List.of("connect", "bind", "kill"),
                out.stream().map(AuditRecord::syscall).toList());
        assertEquals(
                List.of(13, 13, 1), out.stream().map(r -> r.decision().errno()).toList());
        assertEquals(
                List.of(
                        "landlock domain=11317e93e blockers=net.connect_tcp daddr=127.0.0.1 dest=80",
                        "landlock domain=11317e93e blockers=net.bind_tcp saddr=127.0.0.1 src=8089",
                        "landlock domain=11317e93e blockers=scope.signal opid=1 ocomm=process_api"),
                out.stream().map(r -> r.decision().rule()).toList());
        assertTrue(out.stream()
                .allMatch(r -> r.path() == null && r.pid() == 24006 && r.comm().equals("python3")));
        assertEquals(List.of(3, 3, 2), out.stream().map(r -> r.args().size()).toList(), "as many as the call takes");
    }

    /** A process without an audit context writes no SYSCALL and no EOE: its denial comes out after the wait. */
    @Test
    void anEventWithoutEndComesOutAfterTheWait() {
        LandlockDenials c = new LandlockDenials();
        c.accept(
                LandlockDenials.AUDIT_LANDLOCK_ACCESS,
                "audit(5.000:7): domain=ff blockers=scope.signal opid=1" + " ocomm=\"systemd\"",
                100);
        assertEquals(List.of(), c.expire(100 + LandlockDenials.MAX_WAIT_NANOS - 1));
        List<LandlockDenial> done = c.expire(100 + LandlockDenials.MAX_WAIT_NANOS);
        assertEquals(1, done.size());
        assertNull(done.get(0).call());
        assertNull(done.get(0).allocatedBy());
        assertEquals(1, done.get(0).errno()); // EPERM: what a refused kill(2) returns
        c.accept(
                LandlockDenials.AUDIT_LANDLOCK_ACCESS,
                "audit(5.000:8): domain=ff blockers=fs.read_file path=\"/x\"",
                0);
        assertEquals(13, c.flush().get(0).errno());
        assertTrue(!c.hasPending());
    }

    /** The audit log's record: source landlock, the call named from the table, the path, EACCES, the domain in rule. */
    @Test
    void aDenialIsWrittenAsALandlockRecord() {
        LandlockDenials c = new LandlockDenials();
        List<LandlockDenial> all = new java.util.ArrayList<>();
        for (String[] r : new String[][] {{"1423", ACCESS}, {"1424", DOMAIN}, {"1300", SYSCALL}, {"1320", EOE}}) {
            all.addAll(c.accept(Integer.parseInt(r[0]), r[1], 0));
        }
        LandlockDenial d = all.get(0);
        AuditRecord a = d.toAuditRecord();
        assertEquals("openat", a.syscall());
        assertEquals(4660, a.pid());
        assertEquals("sh", a.comm());
        assertEquals("/tmp/llx/out", a.path());
        assertEquals("/tmp/llx/out", a.resolvedPath());
        assertEquals(dev.syscage.supervise.SyscallEvent.Source.LANDLOCK, a.source());
        StringWriter json = new StringWriter();
        try (AuditLog log = AuditLog.to(json, "test", AuditFormat.JSONL, LogLevel.DENIED, 16, e -> {})) {
            log.record(a);
        }
        // the run id is random: everything else is fixed
        String line = json.toString().replaceFirst("\"run\":\"[0-9a-f-]{36}\"", "\"run\":\"RUN\"");
        assertEquals(
                "{\"version\":2,\"record\":\"call\",\"run\":\"RUN\",\"ts\":\"2026-12-07T18:50:35.243000000Z\",\"seq\":0,\"pid\":4660,"
                        + "\"tid\":4660,\"ppid\":4611,\"uid\":0,\"comm\":\"sh\",\"exe\":\"/usr/bin/dash\",\"arch\":\"x86_64\","
                        + "\"syscall\":\"openat\",\"nr\":257,"
                        + "\"args\":[{\"name\":\"arg0\",\"kind\":\"raw\",\"value\":\"0xffffff9c\",\"text\":\"0xffffff9c\"},"
                        + "{\"name\":\"arg1\",\"kind\":\"raw\",\"value\":\"0x556f36ca99b0\",\"text\":\"0x556f36ca99b0\"},"
                        + "{\"name\":\"arg2\",\"kind\":\"raw\",\"value\":\"0x241\",\"text\":\"0x241\"},"
                        + "{\"name\":\"arg3\",\"kind\":\"raw\",\"value\":\"0x1b6\",\"text\":\"0x1b6\"}],"
                        + "\"path\":\"/tmp/llx/out\",\"resolved_path\":\"/tmp/llx/out\",\"resolved_path2\":null,\"real_path\":null,"
                        + "\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\","
                        + "\"rule\":\"landlock domain=11317df93 blockers=fs.write_file path=/tmp/llx/out dev=vda ino=2147228\","
                        + "\"would\":null,\"result\":null,\"hook\":null,\"latency_ns\":0,\"source\":\"landlock\"}\n",
                line);
        StringWriter text = new StringWriter();
        try (AuditLog log = AuditLog.to(text, "test", AuditFormat.TEXT, LogLevel.DENIED, 16, e -> {})) {
            log.record(a);
        }
        assertEquals(
                "[pid 4660] openat(0xffffff9c, 0x556f36ca99b0, 0x241, 0x1b6) = -1 EACCES (rule landlock"
                        + " domain=11317df93 blockers=fs.write_file path=/tmp/llx/out dev=vda ino=2147228) <0.000000>\n",
                text.toString());
    }
}
