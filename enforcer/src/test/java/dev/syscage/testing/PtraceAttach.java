package dev.syscage.testing;

import dev.syscage.nativeaccess.Ptrace;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether strace or gdb can attach, here, to a process they did not start, as the tests that
 * attach them to a program under syscage need; and whether this JVM may seize its own child, as
 * trace mode's supervisor does ({@link #assumeTraceModeWorks}). Ptrace attach can be refused whatever the tool:
 * Yama's {@code kernel.yama.ptrace_scope} (1 without CAP_SYS_PTRACE, or 3), a container without
 * CAP_SYS_PTRACE, a seccomp filter over the test run. Asked once per tool and JVM: the tool
 * attaches to a {@code sleep} this JVM starts, a sibling of the tool as the program under syscage
 * is. Attached: the tests run. Refused ("Operation not permitted"): they are skipped, with the
 * tool's words and the Yama setting. Anything else fails them: a broken probe must not turn into
 * a skip.
 */
public final class PtraceAttach {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int EPERM = 1;
    private static final Map<String, Optional<String>> REFUSALS = new HashMap<>();
    /** What gdb -batch says when it detaches from a process it had attached to. */
    private static final Pattern GDB_DETACHED = Pattern.compile("\\[Inferior \\d+ \\(process \\d+\\) detached\\]");

    private PtraceAttach() {}

    /** Skips the calling test where {@code tool} (strace or gdb) is missing or may not attach. */
    public static void assumeAllowed(String tool) {
        Optional<Path> binary = onPath(tool);
        Assumptions.assumeTrue(binary.isPresent(), tool + " is not installed");
        Optional<String> refusal = refusal(tool, binary.get());
        Assumptions.assumeTrue(
                refusal.isEmpty(),
                () -> refusal.orElse("") + "; this test attaches " + tool + " to the program, so it is skipped");
    }

    /** For a test run in {@code mode} ("trace", "notify", ...): skips, saying why, where trace mode cannot work. */
    public static void assumeModeWorks(String mode) {
        if (mode.equals("trace")) {
            assumeTraceModeWorks();
        }
    }

    /**
     * Skips the calling test (or, from a {@code @BeforeAll}, its class) where trace mode cannot
     * work: its supervisor, a thread of this JVM, seizes the program's process with
     * {@code PTRACE_SEIZE}, which Yama's {@code ptrace_scope} 3, a container without ptrace or a
     * seccomp filter over the test run refuse altogether. Asked once per JVM: this JVM seizes a
     * {@code sleep} it starts. Seized: the tests run. EPERM: skipped, saying so with the Yama
     * setting. Any other error fails them.
     */
    public static void assumeTraceModeWorks() {
        Optional<String> refusal = seizeRefusal();
        Assumptions.assumeTrue(
                refusal.isEmpty(),
                () -> refusal.orElse("") + "; this test runs a program in trace mode," + " so it is skipped");
    }

    private static synchronized Optional<String> seizeRefusal() {
        return REFUSALS.computeIfAbsent("PTRACE_SEIZE", t -> {
            Optional<String> r = seize();
            System.out.println("syscage tests: "
                    + r.map(s -> s + "; the trace-mode tests are skipped")
                            .orElse("this JVM can PTRACE_SEIZE its child: the trace-mode tests run"));
            return r;
        });
    }

    private static Optional<String> seize() {
        Process target = null;
        try {
            target = new ProcessBuilder("sleep", "60").start();
            long r = Ptrace.create().ptrace(Ptrace.PTRACE_SEIZE, (int) target.pid(), 0, Ptrace.PTRACE_O_EXITKILL);
            if (r == -EPERM) {
                return Optional.of("ptrace is refused on this machine: PTRACE_SEIZE of a child of this JVM failed with "
                        + "EPERM (" + yama() + ")");
            }
            if (r < 0) {
                throw new AssertionError(
                        "cannot tell whether trace mode can work: PTRACE_SEIZE failed with errno " + -r);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new AssertionError("cannot tell whether trace mode can work: " + e, e);
        } finally {
            if (target != null) {
                target.destroyForcibly(); // PTRACE_O_EXITKILL too: the sleep ends with the seize or the JVM
                try {
                    target.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static synchronized Optional<String> refusal(String tool, Path binary) {
        return REFUSALS.computeIfAbsent(tool, t -> {
            Optional<String> r = probe(t, binary);
            System.out.println("syscage tests: "
                    + r.map(s -> s + "; the tests that attach " + t + " are skipped")
                            .orElse(t + " can attach to a sibling process: the tests that attach it run"));
            return r;
        });
    }

    private static Optional<String> probe(String tool, Path binary) {
        Process target = null;
        try {
            target = new ProcessBuilder("sleep", "60").start();
            Path out = Files.createTempFile("syscage-attach-probe-", ".txt");
            try {
                return judge(tool, attach(tool, binary, target, out), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot tell whether " + tool + " may attach: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while probing " + tool, e);
        } finally {
            if (target != null) {
                target.destroyForcibly();
            }
        }
    }

    /**
     * Attaches {@code tool} to {@code target}, its output in {@code out}; returns its exit status.
     * strace stays attached until the target ends, which the probe brings about once strace says
     * it attached (or has ended).
     */
    private static int attach(String tool, Path binary, Process target, Path out)
            throws IOException, InterruptedException {
        String pid = String.valueOf(target.pid());
        List<String> cmd = tool.equals("gdb")
                ? List.of(binary.toString(), "-nx", "-batch", "-p", pid, "-ex", "detach")
                : List.of(binary.toString(), "-p", pid, "-e", "trace=none");
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            if (tool.equals("strace")) {
                Await.within(DEADLINE, () -> !p.isAlive() || read(out).contains(" attached"));
                target.destroyForcibly();
            }
            if (!p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError(
                        String.join(" ", cmd) + " did not end within " + DEADLINE.toSeconds() + " s: " + read(out));
            }
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Empty where the tool attached; the refusal where it was refused; fails where neither is clear. */
    static Optional<String> judge(String tool, int status, String output) {
        if (output.contains("Operation not permitted")) {
            String line = output.lines()
                    .filter(l -> l.contains("Operation not permitted"))
                    .findFirst()
                    .orElseThrow();
            return Optional.of("ptrace attach is refused on this machine: " + tool + " -p on a sleeping sibling said '"
                    + line.strip() + "' (" + yama() + ")");
        }
        boolean attached =
                tool.equals("gdb") ? status == 0 && GDB_DETACHED.matcher(output).find() : output.contains(" attached");
        if (attached) {
            return Optional.empty();
        }
        throw new AssertionError(
                "cannot tell whether " + tool + " may attach: it exited " + status + " saying: " + output.strip());
    }

    private static String yama() {
        Path scope = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        try {
            return "kernel.yama.ptrace_scope=" + Files.readString(scope).strip();
        } catch (IOException e) {
            return "no Yama";
        }
    }

    private static String read(Path out) {
        try {
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<Path> onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
