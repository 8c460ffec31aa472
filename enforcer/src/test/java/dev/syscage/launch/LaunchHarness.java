package dev.syscage.launch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code syscage-launch} binary in a scratch directory: compiles policies with the
 * real compiler into filter files, starts the launcher with a timeout, and captures its exit
 * status and output. Shared by the launcher tests so each test reads as what it checks.
 */
final class LaunchHarness {
    static final long TIMEOUT_SECONDS = 20;

    /** Allows everything; the filter is installed but changes nothing the program sees. */
    static final String ALLOW_ALL = """
            version: 1
            name: allow-all
            default: allow
            """;

    /** The outcome of one process: exit status (128+N for signal N), stdout, stderr. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path dir;
    private int files;

    LaunchHarness(Path dir) {
        this.dir = dir;
    }

    /** The binary the native build made: $syscage.native.dir, else ../native/build. */
    static Path launcher() {
        String nativeDir = System.getProperty("syscage.native.dir", "../native/build");
        Path p = Path.of(nativeDir, "syscage-launch").toAbsolutePath();
        assertTrue(Files.isExecutable(p), p + " is missing: build native/ first (make -C native)");
        return p;
    }

    Path dir() {
        return dir;
    }

    /** A policy compiled to the raw bytes `syscage compile -o` writes, in a new file. */
    Path filter(String yaml) throws IOException {
        Policy policy = PolicyLoader.loadString("test.yaml", yaml, new LoadOptions(List.of(), List.of()));
        return bytes(PolicyCompiler.compile(policy, CompileOptions.defaults())
                .program()
                .toBytes());
    }

    /** A filter file with exactly these bytes. */
    Path bytes(byte[] content) throws IOException {
        Path p = dir.resolve("filter-" + (files++) + ".bpf");
        Files.write(p, content);
        return p;
    }

    /** Runs the launcher with these arguments. */
    Result launch(String... args) throws IOException, InterruptedException {
        return launchWithEnv(Map.of(), args);
    }

    /** Runs the launcher with extra environment variables. */
    Result launchWithEnv(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher().toString());
        cmd.addAll(List.of(args));
        return run(cmd, env);
    }

    /** Runs any command (e.g. a shell that sets up fds and execs the launcher). */
    Result run(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("LC_ALL", "C"); // the programs' own messages in plain ASCII
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "timed out: " + cmd);
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
