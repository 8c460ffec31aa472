package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.KernelLandlock;
import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.ListenerHandoff;
import dev.syscage.run.NotifyRunner;
import dev.syscage.run.Runner;
import dev.syscage.run.SupervisedRun;
import dev.syscage.supervise.audit.AuditFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notify mode with a Landlock domain, end to end (a real launcher, real programs, the
 * supervisor in this JVM): the supervise rules allow every path, the domain writes only beneath
 * {@code allowed/}. The calls the supervisor makes for the program
 * (race-free opens, a FIFO's open on a thread of its own, mkdir, unlink, rename) end in EACCES
 * under {@code forbidden/} and leave nothing there; the same program without the domain gets
 * through, so the refusal is the domain's. (The program itself is in no domain here: applying
 * one is the launcher's part. The point is that the supervisor's own calls are confined.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotifyLandlockTest {
    /** Tries each call and writes one line per call, "NAME ok" or "NAME ERRNO", to allowed/out. */
    private static final String ATTEMPTS = """
            import errno, os, sys
            d, fifo = sys.argv[1], sys.argv[2] == "fifo"
            def attempt(name, call):
                try:
                    call()
                    return name + " ok"
                except OSError as e:
                    return name + " " + errno.errorcode[e.errno]
            lines = [
                attempt("create forbidden/f", lambda: os.close(os.open(d + "/forbidden/f", os.O_RDWR | os.O_CREAT, 0o644))),
                attempt("open forbidden/existing", lambda: os.close(os.open(d + "/forbidden/existing", os.O_RDWR))),
                attempt("mkdir forbidden/d", lambda: os.mkdir(d + "/forbidden/d")),
                attempt("unlink forbidden/existing", lambda: os.unlink(d + "/forbidden/existing")),
                attempt("rename allowed/x forbidden/x", lambda: os.rename(d + "/allowed/x", d + "/forbidden/x")),
                attempt("create allowed/f", lambda: os.close(os.open(d + "/allowed/f", os.O_RDWR | os.O_CREAT, 0o644))),
                attempt("mkdir allowed/d", lambda: os.mkdir(d + "/allowed/d")),
            ]
            if fifo:
                # no reader: the kernel's open would wait; in the domain it is refused at once
                lines.append(attempt("open forbidden/fifo", lambda: os.close(os.open(d + "/forbidden/fifo", os.O_WRONLY))))
            with open(d + "/allowed/out", "w") as out:
                out.write("\\n".join(lines) + "\\n")
            """;

    private static final List<String> ROUTED = List.of(
            "openat",
            "open",
            "openat2",
            "creat",
            "mkdir",
            "mkdirat",
            "mknod",
            "mknodat",
            "unlink",
            "unlinkat",
            "rmdir",
            "rename",
            "renameat",
            "renameat2");

    @TempDir
    Path dir;

    private Path allowed;
    private Path forbidden;

    @BeforeEach
    void tree() throws Exception {
        allowed = Files.createDirectory(dir.resolve("allowed"));
        forbidden = Files.createDirectory(dir.resolve("forbidden"));
        Files.writeString(forbidden.resolve("existing"), "keep\n");
        Files.writeString(allowed.resolve("x"), "x\n");
        Process mkfifo = new ProcessBuilder("mkfifo", forbidden.resolve("fifo").toString())
                .inheritIO()
                .start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
    }

    /**
     * The routed calls' supervise rules allow every path (any refusal is the domain's); a path
     * rule makes the supervisor make each allowed call itself.
     */
    private Policy policy() {
        String calls = String.join(", ", ROUTED);
        String yaml = """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [%s]
                supervise:
                  rules:
                    - syscalls: [%s]
                      path: ["/", "/**"]
                      decision: allow
                  default: errno EPERM
                """.formatted(calls, calls);
        return SupervisionMode.NOTIFY.retarget(
                PolicyLoader.loadString("landlock.yaml", yaml, new LoadOptions(List.of(), List.of())));
    }

    /** The program's domain: read and execute everywhere, write to devices, everything beneath allowed/. */
    private LandlockRuleset domain() {
        long read = FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.EXECUTE;
        return KernelLandlock.cut(new LandlockRuleset(
                FsAccess.ALL,
                0,
                0,
                List.of(
                        new PathRule("/", read, false, null),
                        new PathRule("/dev", read | FsAccess.WRITE_FILE | FsAccess.IOCTL_DEV, false, null),
                        new PathRule(allowed.toString(), FsAccess.ALL, false, null)),
                List.of(),
                Compat.BEST_EFFORT));
    }

    /** Runs {@code command} in notify mode under {@link #policy()}, the supervisor here; its exit status. */
    private int run(LandlockRuleset landlock, String... command) throws Exception {
        Policy policy = policy();
        ViewWatch watch = ViewWatch.of(policy);
        byte[] filter = PolicyCompiler.compile(watch.apply(policy), CompileOptions.defaults())
                .program()
                .toBytes();
        Path launcher = Path.of(System.getProperty("syscage.native.dir", "../native/build"), "syscage-launch");
        StringWriter errText = new StringWriter();
        PrintWriter err = new PrintWriter(errText, true);
        LinuxCLibrary libc = LinuxCLibrary.instance();
        SupervisedRun.Settings settings = new SupervisedRun.Settings(
                dir.resolve("audit.jsonl"),
                AuditFormat.JSONL,
                policy.supervision().log(),
                null,
                false,
                List.of(),
                false,
                true,
                false);
        try (SupervisedRun run = new SupervisedRun(policy, settings, err)) {
            int code = new NotifyRunner(libc, new Runner(libc, err), watch, landlock)
                    .run(
                            launcher,
                            filter,
                            List.of(),
                            List.of(command),
                            run.session(),
                            nr -> "syscall " + nr,
                            ListenerHandoff.AUTO)
                    .exitCode();
            assertEquals(0, code, errText.toString());
            return code;
        }
    }

    private List<String> attempts(LandlockRuleset landlock, boolean fifo) throws Exception {
        run(landlock, "python3", "-I", "-S", "-B", "-c", ATTEMPTS, dir.toString(), fifo ? "fifo" : "no-fifo");
        return Files.readAllLines(allowed.resolve("out"));
    }

    @Test
    void whatTheRulesAllowAndTheDomainForbidsEndsInEacces() throws Exception {
        List<String> got = attempts(domain(), true);
        assertEquals(
                List.of(
                        "create forbidden/f EACCES",
                        "open forbidden/existing EACCES",
                        "mkdir forbidden/d EACCES",
                        "unlink forbidden/existing EACCES",
                        "rename allowed/x forbidden/x EACCES",
                        "create allowed/f ok",
                        "mkdir allowed/d ok",
                        "open forbidden/fifo EACCES"),
                got);
        assertFalse(Files.exists(forbidden.resolve("f")), "created outside the domain");
        assertFalse(Files.exists(forbidden.resolve("d")));
        assertFalse(Files.exists(forbidden.resolve("x")));
        assertEquals("keep\n", Files.readString(forbidden.resolve("existing")));
        assertTrue(LandlockDomainTest.endWithin10s(domainThreads()), "a thread of the domain outlived the run");
    }

    /** The same program, the same rules, no domain: everything goes through. */
    @Test
    void withoutTheDomainTheRulesAloneLetTheSameCallsThrough() throws Exception {
        List<String> got = attempts(LandlockRuleset.NONE, false);
        assertEquals(
                List.of(
                        "create forbidden/f ok",
                        "open forbidden/existing ok",
                        "mkdir forbidden/d ok",
                        "unlink forbidden/existing ok",
                        "rename allowed/x forbidden/x ok",
                        "create allowed/f ok",
                        "mkdir allowed/d ok"),
                got);
        assertTrue(Files.exists(forbidden.resolve("f")));
    }

    /** Both ends of a FIFO opened through the supervisor, each waiting on a thread of the domain. */
    @Test
    void bothEndsOfAFifoInTheDomainCanBeOpened() throws Exception {
        run(domain(), "sh", "-c", "cd " + allowed + " && mkfifo p && { cat p > got & } && echo through > p && wait");
        assertEquals("through\n", Files.readString(allowed.resolve("got")));
    }

    /** The threads of a Landlock domain (named syscage-landlock-N) alive now. */
    private static List<Thread> domainThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("syscage-landlock-"))
                .toList();
    }
}
