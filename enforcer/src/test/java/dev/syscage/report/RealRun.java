package dev.syscage.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.AuditRun;
import dev.syscage.auditlog.CallRecord;
import dev.syscage.auditlog.EndRecord;
import dev.syscage.cli.Main;
import dev.syscage.run.RunTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real supervised run for the report tests: a shell that starts {@code opens} (some paths
 * allowed, one missing, some denied) and in the background {@code threads} (three threads
 * opening a denied file), under a policy whose supervise rules allow a tree and refuse the rest
 * with EACCES; and what its log says, counted here without the report's code.
 */
final class RealRun {
    private RealRun() {}

    static Path testprog(String name) {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", name)
                .toAbsolutePath();
    }

    /** Runs the program with {@code --log DIR/audit.jsonl} and {@code extra} options; the run's result. */
    static RunTest.Result run(Path dir, String... extra) throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Files.writeString(allowed.resolve("a"), "a\n");
        Files.writeString(Files.createDirectories(dir.resolve("denied")).resolve("secret"), "secret\n");
        Path policy = Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat, open]
                supervise:
                  rules:
                    - syscalls: [openat, open]
                      path: ["%s/allowed/**", "/usr/**", "/lib/**", "/lib64/**", "/etc/ld.so.cache", "/dev/null"]
                      decision: allow
                    - syscalls: [openat, open]
                      decision: errno EACCES
                """.formatted(dir));
        String script = testprog("threads") + " denied/secret 2 3 & " + testprog("opens")
                + " allowed/a allowed/missing /etc/hostname denied/secret; wait";
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--policy",
                policy.toString(),
                "--log",
                dir.resolve("audit.jsonl").toString()));
        args.addAll(List.of(extra));
        args.addAll(List.of("--", "/bin/sh", "-c", script));
        RunTest.Result r = RunTest.syscage(120, dir, args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        return r;
    }

    /** The log, read by the one reader of audit logs (the counting below is the tests' own, not the report's). */
    static AuditRun read(Path log) throws Exception {
        return AuditLogReader.read(log);
    }

    /** The run's closing record. */
    static EndRecord end(Path log) throws Exception {
        return read(log).end().orElseThrow(() -> new AssertionError(log + " has no closing record"));
    }

    /** The call records: the supervisor's, and the kernel's reports of Landlock denials where its audit is on. */
    static List<CallRecord> calls(Path log) throws Exception {
        return read(log).calls();
    }

    /** The call records of the supervisor (not Landlock's). */
    static List<CallRecord> supervised(Path log) throws Exception {
        return calls(log).stream().filter(c -> !c.landlock()).toList();
    }

    /** syscall → decision → count, from the log's records. */
    static Map<String, Map<String, Long>> counts(Path log) throws Exception {
        Map<String, Map<String, Long>> by = new TreeMap<>();
        for (CallRecord c : supervised(log)) {
            by.computeIfAbsent(c.syscall(), s -> new TreeMap<>()).merge(c.decision(), 1L, Long::sum);
        }
        return by;
    }

    /** {@code syscage report ARGS} in this JVM: exit status, standard output, standard error. */
    static RunTest.Result report(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("report"));
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new RunTest.Result(code, out.toString(), err.toString());
    }
}
