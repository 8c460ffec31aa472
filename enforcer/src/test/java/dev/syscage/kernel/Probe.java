package dev.syscage.kernel;

import dev.syscage.policy.bpf.Program;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs native/build/syscage-probe: every case in a fresh child with {@code program} really
 * installed, one result per case. The filter goes to the probe as a file, the cases over
 * stdin (written by a separate thread, so a long batch cannot deadlock on a full pipe).
 */
final class Probe {
    /** The errno of the probe's guard filter: seen only if a call would otherwise have run. */
    static final int GUARD_ERRNO = 4000;

    private Probe() {}

    /** The probe binary, from the system property Maven sets; fails with what to do if missing. */
    static Path binary() {
        String dir = System.getProperty("syscage.native.dir", "../native/build");
        Path p = Path.of(dir, "syscage-probe");
        if (!Files.isExecutable(p)) {
            throw new AssertionError(p + " is missing: build it with 'make -C native' (Maven's native module does)");
        }
        return p;
    }

    static List<KernelResult> run(Program program, List<ProbeCase> cases) {
        return run(program, cases, false);
    }

    /** With {@code guarded}, nothing the program would let run does: it reports GUARD_ERRNO. */
    static List<KernelResult> run(Program program, List<ProbeCase> cases, boolean guarded) {
        if (cases.stream().anyMatch(c -> c.abi() == ProbeCase.Abi.I386)) {
            Ia32.assumeAvailable(); // every int $0x80 case passes here: skipped where int $0x80 faults
        }
        List<String> lines = new ArrayList<>();
        for (ProbeCase c : cases) {
            lines.add(c.line());
        }
        Output out = runRaw(program.toBytes(), lines, guarded ? List.of("--guard", "" + GUARD_ERRNO) : List.of());
        if (out.status() != 0 || out.lines().size() != cases.size()) {
            throw new AssertionError("syscage-probe exited " + out.status() + " after "
                    + out.lines().size() + " of " + cases.size() + " cases: " + out.stderr());
        }
        List<KernelResult> results = new ArrayList<>();
        for (String l : out.lines()) {
            results.add(KernelResult.parse(l));
        }
        return results;
    }

    static KernelResult runOne(Program program, ProbeCase c) {
        return run(program, List.of(c)).get(0);
    }

    /** Everything the probe said: exit status, stdout lines, stderr text. */
    record Output(int status, List<String> lines, String stderr) {}

    /** The probe with a filter given as bytes, raw input lines and extra options. */
    static Output runRaw(byte[] filter, List<String> input, List<String> options) {
        Path file = null;
        try {
            file = Files.createTempFile("syscage-probe-", ".bpf");
            Files.write(file, filter);
            List<String> cmd = new ArrayList<>(List.of(binary().toString(), "--filter", file.toString()));
            cmd.addAll(options);
            return exec(cmd, input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temp file left behind is not worth failing a test for
                }
            }
        }
    }

    static Output exec(List<String> cmd, List<String> input) throws IOException {
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> writeLines(p.getOutputStream(), input));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                lines.add(l);
            }
        }
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("syscage-probe did not finish in 300 s: " + cmd);
            }
            writer.join();
            return new Output(p.exitValue(), lines, err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void writeLines(OutputStream os, List<String> lines) {
        try (Writer w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(os, StandardCharsets.UTF_8))) {
            for (String l : lines) {
                w.write(l);
                w.write('\n');
            }
        } catch (IOException e) {
            // the probe stopped reading (it failed); its status and stderr say why
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(stderr unreadable: " + e.getMessage() + ")";
        }
    }
}
