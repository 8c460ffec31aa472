package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.policy.bpf.Program;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real libseccomp, for differential tests: {@code oci/libseccomp_ref.c} built with gcc
 * against Debian's libseccomp-dev (bin/run-tests installs it) into a temporary directory, fed
 * rules the way runc adds them, returning the BPF program libseccomp generates and whether each
 * rule was accepted. Tests using it are skipped, saying why, only where gcc or libseccomp-dev
 * is missing.
 */
final class LibseccompRef {
    private static Path binary;

    /**
     * libseccomp's program and its answer to each rule ("ok" or "err -N"); {@code hung} when
     * libseccomp did not finish within the deadline (program null): libseccomp 2.5.4 loops
     * forever on some rule sets, and runc with it.
     */
    record Built(Program program, List<String> answers, boolean hung) {}

    private static final long DEADLINE_SECONDS = 5;

    private LibseccompRef() {}

    /** The harness, built once per JVM; skips the calling test where it cannot be built. */
    static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        assumeTrue(
                Files.exists(Path.of("/usr/include/seccomp.h")),
                "libseccomp-dev is not installed (/usr/include/seccomp.h): bin/run-tests installs it");
        try {
            Path dir = Files.createTempDirectory("syscage-libseccomp-ref");
            Path src = dir.resolve("libseccomp_ref.c");
            Path out = dir.resolve("libseccomp_ref");
            // deleted when the JVM exits, the files before their directory (reverse order)
            dir.toFile().deleteOnExit();
            src.toFile().deleteOnExit();
            out.toFile().deleteOnExit();
            Files.writeString(src, CallCorpus.resource("/oci/libseccomp_ref.c"));
            Process gcc;
            try {
                gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-o", out.toString(), src.toString(), "-lseccomp")
                        .redirectErrorStream(true)
                        .start();
            } catch (IOException e) {
                assumeTrue(false, "gcc is not installed: bin/run-tests installs it");
                return null;
            }
            String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
                throw new IllegalStateException("gcc failed to build libseccomp_ref.c:\n" + log);
            }
            binary = out;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs the harness on {@code input} (see libseccomp_ref.c for the directives). */
    static Built build(String input) {
        Path bin = binary();
        try {
            Path bpf = Files.createTempFile(bin.getParent(), "filter", ".bpf");
            try {
                Process p = new ProcessBuilder(bin.toString(), bpf.toString()).start();
                p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                // the output is a line per rule, far below a pipe's buffer: wait first, then read
                if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS);
                    return new Built(null, List.of(), true);
                }
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("libseccomp_ref failed: " + err + "\non\n" + input);
                }
                return new Built(
                        Program.fromBytes(Files.readAllBytes(bpf)), out.lines().toList(), false);
            } finally {
                Files.deleteIfExists(bpf);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
