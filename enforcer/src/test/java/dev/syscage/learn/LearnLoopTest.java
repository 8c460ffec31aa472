package dev.syscage.learn;

import static dev.syscage.run.RunTest.syscage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.CallRecord;
import dev.syscage.run.RunTest.Result;
import dev.syscage.testing.PtraceAttach;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The learn loop of docs/learn.md on real programs and the real kernel: learn a profile, cut it
 * down until the program fails, run it in complain mode (nothing denied, each denial recorded),
 * let {@code suggest} propose the rules, and run the program enforcing the merged policy: it
 * passes, and the policy still denies a call the program never made. Every audit log the runs
 * write is checked against docs/audit-record.schema.json by {@link dev.syscage.run.RunTest#syscage}.
 */
class LearnLoopTest {
    /** Calls `ls -la` makes that the cut-down profile no longer allows (those present in the learned one). */
    private static final Set<String> CUT =
            Set.of("getdents64", "openat", "statx", "newfstatat", "lgetxattr", "getxattr");

    @TempDir
    Path dir;

    @Test
    void learnComplainSuggestEnforce() throws Exception {
        Path listed = Files.createDirectories(dir.resolve("listed"));
        Files.writeString(listed.resolve("a.txt"), "a");
        Files.writeString(listed.resolve("b.txt"), "b");
        String[] ls = {"ls", "-la", "--time-style=+", listed.toString()};

        Result learn = syscage(dir, concat(List.of("learn", "-o", "learned.yaml", "--"), ls));
        assertEquals(0, learn.code(), learn.err());
        String expected = learn.out();
        assertTrue(expected.contains("a.txt") && expected.contains("b.txt"), expected);

        List<String> cut = cutDown(dir.resolve("learned.yaml"), dir.resolve("tight.yaml"));
        assertTrue(cut.contains("getdents64") && cut.contains("openat"), "ls lists and opens: " + cut);
        Result failing = syscage(dir, concat(List.of("run", "--policy", "tight.yaml", "--"), ls));
        assertNotEquals(0, failing.code(), "the cut-down profile is too tight: " + failing.out() + failing.err());

        Result complain = syscage(
                dir,
                concat(List.of("run", "--complain", "--policy", "tight.yaml", "--log", "complain.jsonl", "--"), ls));
        assertEquals(0, complain.code(), complain.err());
        assertEquals(expected, complain.out(), "complain mode denies nothing");
        assertTrue(
                complain.err().contains("syscage: warning: complain mode: nothing the policy denies is denied"),
                complain.err());
        List<CallRecord> complaints = records(dir.resolve("complain.jsonl")).stream()
                .filter(CallRecord::complained)
                .toList();
        Set<String> complained = complaints.stream().map(CallRecord::syscall).collect(Collectors.toSet());
        assertTrue(complained.containsAll(List.of("getdents64", "openat")), complained.toString());
        for (CallRecord r : complaints) {
            assertEquals("allow", r.decision(), r.toString());
            assertEquals("complain", r.rule(), r.toString());
            assertEquals("errno", r.would().decision(), r.toString());
            assertEquals("EPERM", r.would().errnoName(), r.toString());
            assertEquals(
                    "default tight.yaml:" + defaultLine(dir.resolve("tight.yaml")),
                    r.would().rule());
        }
        assertTrue(
                complain.err()
                        .contains("syscage: complain mode: " + complaints.size() + " calls would have been "
                                + "denied by the policy (see complain.jsonl)"),
                complain.err());

        Result suggest = syscage(dir, "suggest", "--merge", "tight.yaml", "-o", "fixed.yaml", "complain.jsonl");
        assertEquals(0, suggest.code(), suggest.err());
        Result fixed = syscage(dir, concat(List.of("run", "--policy", "fixed.yaml", "--"), ls));
        assertEquals(0, fixed.code(), fixed.err());
        assertEquals(expected, fixed.out());

        // still denies what ls never did: by the interpreter (check) and in the kernel (a mkdir)
        Result check = syscage(dir, "check", "fixed.yaml", "mkdir");
        assertTrue(check.out().startsWith("mkdir (nr 83) on x86_64: errno 1 (EPERM)"), check.out());
        Path made = dir.resolve("made");
        Result mkdir = syscage(dir, "run", "--policy", "fixed.yaml", "--", "mkdir", made.toString());
        assertEquals(1, mkdir.code(), mkdir.err());
        assertTrue(mkdir.err().contains("Operation not permitted"), mkdir.err());
        assertFalse(Files.exists(made));
    }

    /**
     * The loop when the program touches new paths: the learned profile's {@code filesystem:}
     * section denies them (Landlock, enforcing), complain mode records them ({@code by: filesystem}),
     * and suggest widens the section; a directory the program never touched stays denied.
     */
    @Test
    void learnComplainSuggestEnforceWidensTheFilesystemSection() throws Exception {
        for (String d : List.of("a", "b", "c")) {
            Files.createDirectories(dir.resolve(d));
        }
        String writes = "mkdir -p %1$s/sub; echo x > %1$s/sub/f; cat %1$s/sub/f";
        Result learn =
                syscage(dir, "learn", "-o", "learned.yaml", "--", "sh", "-c", writes.formatted(dir.resolve("a")));
        assertEquals(0, learn.code(), learn.err());
        assertTrue(
                Files.readString(dir.resolve("learned.yaml")).contains("\nfilesystem:\n"),
                "a learned file-system section");
        String elsewhere = writes.formatted(dir.resolve("b"));
        Result denied = syscage(dir, "run", "--policy", "learned.yaml", "--", "sh", "-c", elsewhere);
        assertNotEquals(0, denied.code(), "Landlock denies the new directory: " + denied.err());
        assertTrue(denied.err().contains("Permission denied"), denied.err());

        Result complain = syscage(
                dir,
                "run",
                "--complain",
                "--policy",
                "learned.yaml",
                "--log",
                "complain.jsonl",
                "--",
                "sh",
                "-c",
                elsewhere);
        assertEquals(0, complain.code(), complain.err());
        assertEquals("x\n", complain.out());
        List<CallRecord> byFs = records(dir.resolve("complain.jsonl")).stream()
                .filter(r -> r.complained() && r.would().by().equals("filesystem"))
                .toList();
        assertTrue(
                byFs.stream().anyMatch(r -> dir.resolve("b/sub/f").toString().equals(r.resolvedPath())),
                byFs.toString());
        deleteTree(dir.resolve("b/sub")); // the enforcing run makes it again

        Result suggest = syscage(dir, "suggest", "--merge", "learned.yaml", "-o", "fixed.yaml", "complain.jsonl");
        assertEquals(0, suggest.code(), suggest.err());
        assertTrue(suggest.err().contains(byFs.size() + " file-system denial(s)"), suggest.err());
        String fixedText = Files.readString(dir.resolve("fixed.yaml"));
        assertTrue(
                fixedText.contains("    # " + byFs.size() + " calls the filesystem: section would have denied"),
                fixedText);
        assertTrue(fixedText.contains("        - " + dir.resolve("b")), "the directory written into: " + fixedText);
        Result fixed = syscage(dir, "run", "--policy", "fixed.yaml", "--", "sh", "-c", elsewhere);
        assertEquals(0, fixed.code(), fixed.err());
        assertEquals("x\n", fixed.out());
        assertEquals("x\n", Files.readString(dir.resolve("b/sub/f")));

        Result again = syscage(
                dir,
                "run",
                "--complain",
                "--policy",
                "fixed.yaml",
                "--log",
                "again.jsonl",
                "--",
                "sh",
                "-c",
                elsewhere);
        assertEquals(0, again.code(), again.err());
        // left: mkdir -p's mkdirs of directories that are there, which fail with EEXIST before
        // Landlock would check them (complain mode checks the rules first; suggest grants nothing for them)
        assertEquals(
                List.of(),
                records(dir.resolve("again.jsonl")).stream()
                        .filter(r -> r.complained()
                                && !r.exe().endsWith("/syscage-launch")
                                && !(r.syscall().startsWith("mkdir")
                                        && Files.isDirectory(Path.of(r.resolvedPath()))
                                        && dir.resolve("b").startsWith(r.resolvedPath())))
                        .map(CallRecord::callText)
                        .toList(),
                "nothing left to complain of");

        // still denied: a directory the program never touched, in the kernel (Landlock: EACCES)
        Result other =
                syscage(dir, "run", "--policy", "fixed.yaml", "--", "sh", "-c", writes.formatted(dir.resolve("c")));
        assertNotEquals(0, other.code(), other.out());
        assertTrue(
                other.err().contains("cannot create directory '" + dir.resolve("c/sub") + "': Permission denied")
                        || other.err().contains(dir.resolve("c/sub") + "’: Permission denied"),
                other.err());
        assertFalse(Files.exists(dir.resolve("c/sub")));
    }

    private static void deleteTree(Path p) throws Exception {
        try (var files = Files.walk(p)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"trace", "notify"})
    void complainModeLetsKillsAndSupervisorDenialsRunAndRecordsThem(String mode) throws Exception {
        if (mode.equals("trace")) {
            PtraceAttach.assumeTraceModeWorks();
        }
        Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                default: allow
                rules:
                  - action: kill
                    syscalls: [mkdir, mkdirat]
                  - action: trace
                    syscalls: [openat]
                supervise:
                  rules:
                    - syscalls: [openat]
                      path: ["/etc/hostname"]
                      decision: errno EACCES
                """);
        Path made = dir.resolve("made");
        String program = "cat /etc/hostname; mkdir " + made;
        Result r = syscage(
                dir,
                "run",
                "--complain",
                "--mode",
                mode,
                "--policy",
                "p.yaml",
                "--log",
                "c.jsonl",
                "--",
                "sh",
                "-c",
                program);
        assertEquals(0, r.code(), r.err());
        assertEquals(Files.readString(Path.of("/etc/hostname")), r.out());
        assertTrue(Files.isDirectory(made), "the mkdir a kill rule names ran");
        List<CallRecord> records = records(dir.resolve("c.jsonl"));
        CallRecord kill = records.stream()
                .filter(x -> x.syscall().startsWith("mkdir"))
                .findFirst()
                .orElseThrow();
        assertEquals(new CallRecord.Would("kill", null, null, "p.yaml:4", "filter"), kill.would());
        CallRecord open = records.stream()
                .filter(x -> "/etc/hostname".equals(x.resolvedPath()) && x.complained())
                .findFirst()
                .orElseThrow();
        assertEquals(new CallRecord.Would("errno", 13, "EACCES", "p.yaml:10", "supervisor"), open.would());
        assertEquals("allow", open.decision());

        Result suggest = syscage(dir, "suggest", "c.jsonl");
        assertEquals(0, suggest.code(), suggest.err());
        assertTrue(
                suggest.out().contains("rules:   # first: before the rules that denied these calls\n"), suggest.out());
        assertTrue(suggest.out().matches("(?s).*      - mkdir\\S* +# 1 call; denied by p.yaml:4\n.*"), suggest.out());
        assertTrue(suggest.out().contains("supervise:\n  rules:\n    - syscalls: [openat]   # "), suggest.out());
        assertTrue(suggest.out().contains("      path: [\"/etc/hostname\"]\n      decision: allow\n"), suggest.out());
    }

    @Test
    void compileComplainShowsTheRoutedProgramAndNamesWhatIsNotChecked() throws Exception {
        Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [read]
                network:
                  connect: [443]
                """);
        Result r = syscage(dir, "compile", "--complain", "--mode", "trace", "--format", "disasm", "p.yaml");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("; trace 0"), r.out());
        assertFalse(r.out().contains("errno"), "no call is denied in the filter:\n" + r.out());
        assertTrue(
                r.err().contains("syscage: warning: complain mode does not check net.connect_tcp")
                        || r.err().contains("syscage: warning: complain mode does not check network:"),
                r.err());

        // what compile --complain prints is what run --complain --mode trace installs (its length, here)
        Files.writeString(dir.resolve("fs.yaml"), """
                version: 1
                default: errno EPERM
                rules:
                  - action: allow
                    syscalls: [read, write, openat, close, exit_group]
                filesystem:
                  allow:
                    - paths: [/usr, /etc]
                      access: [read, execute]
                """);
        Result compiled = syscage(dir, "compile", "--complain", "--format", "disasm", "fs.yaml");
        long length = compiled.out()
                .lines()
                .filter(l -> l.matches("^[0-9a-f]{4}: .*"))
                .count();
        Result dry =
                syscage(dir, "run", "--complain", "--mode", "trace", "--dry-run", "--policy", "fs.yaml", "--", "true");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("filter: " + length + " instructions"), length + " in:\n" + dry.out());
    }

    /** The learned profile without the {@link #CUT} syscalls; returns those it took out. */
    private static List<String> cutDown(Path learned, Path tight) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(learned)) {
            String name =
                    line.strip().startsWith("- ") ? line.strip().substring(2).split("\\s+")[0] : "";
            if (CUT.contains(name)) {
                out.add(name);
            } else {
                kept.add(line);
            }
        }
        Files.write(tight, kept);
        return out;
    }

    private static int defaultLine(Path policy) throws Exception {
        List<String> lines = Files.readAllLines(policy);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("default:")) {
                return i + 1;
            }
        }
        throw new AssertionError("no default: in " + policy);
    }

    private static List<CallRecord> records(Path log) throws Exception {
        return AuditLogReader.read(log).calls();
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }
}
