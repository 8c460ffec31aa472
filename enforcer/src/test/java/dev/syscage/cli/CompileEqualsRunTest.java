package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.run.NotifySupport;
import dev.syscage.run.ProfileCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code compile} writes is what {@code run} installs: for every shipped profile and every
 * mode (the policy's own, {@code --mode trace}, {@code --mode notify}, each also with
 * {@code --complain}), the raw program {@code compile -o} writes has the same bytes as the filter
 * {@code run --dry-run --emit-filter} says the run would hand the launcher (the bytes of its
 * launch plan, which the runners start).
 */
class CompileEqualsRunTest {
    @TempDir
    Path dir;

    private static List<List<String>> modes() {
        List<List<String>> modes = new ArrayList<>(List.of(List.of(), List.of("--mode", "trace")));
        if (NotifySupport.ofThisKernel().available()) { // else run --mode notify cannot be shown; compile still can
            modes.add(List.of("--mode", "notify"));
        }
        List<List<String>> all = new ArrayList<>();
        for (List<String> m : modes) {
            all.add(m);
            List<String> complain = new ArrayList<>(m);
            complain.add("--complain");
            all.add(complain);
        }
        return all;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void compileWritesTheBytesRunInstallsForEveryShippedProfileAndMode() throws IOException {
        assertFalse(ProfileCatalog.names().isEmpty());
        Map<String, byte[]> strictStdio = new HashMap<>();
        int compared = 0;
        for (String name : ProfileCatalog.names()) {
            Path policy = dir.resolve(name + ".yaml");
            Files.writeString(policy, ProfileCatalog.text(name).orElseThrow());
            if (CliTest.run("check", policy.toString(), "read").code() != 0) {
                continue; // a fragment meant only for include: (profiles says so); neither command takes it alone
            }
            for (List<String> mode : modes()) {
                byte[] compiled = compiled(policy, mode);
                byte[] installed = installed(List.of("--policy", policy.toString()), mode);
                assertArrayEquals(installed, compiled, name + " " + mode);
                assertArrayEquals(installed, installed(List.of("--profile", name), mode), name + " --profile " + mode);
                if (name.equals("strict-stdio")) {
                    strictStdio.put(String.join(" ", mode), compiled);
                }
                compared++;
            }
        }
        assertTrue(compared >= 8 * 4, "compared " + compared);
        // not vacuous: the profile that traces gets another program in each mode
        assertFalse(Arrays.equals(strictStdio.get("--mode trace"), strictStdio.get("--mode trace --complain")));
        if (strictStdio.containsKey("--mode notify")) {
            assertFalse(Arrays.equals(strictStdio.get("--mode trace"), strictStdio.get("--mode notify")));
        }
    }

    private byte[] compiled(Path policy, List<String> mode) throws IOException {
        Path out = Files.createTempFile(dir, "compiled", ".bpf");
        List<String> args = new ArrayList<>(List.of("compile", policy.toString(), "-o", out.toString()));
        args.addAll(mode);
        CliTest.Run r = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), args + ": " + r.err());
        return Files.readAllBytes(out);
    }

    private byte[] installed(List<String> source, List<String> mode) throws IOException {
        Path out = Files.createTempFile(dir, "installed", ".bpf");
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(source);
        args.addAll(mode);
        args.addAll(List.of("--dry-run", "--emit-filter", out.toString(), "--", "true"));
        CliTest.Run r = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), args + ": " + r.err());
        assertTrue(r.out().contains("\nwould run: "), r.out());
        return Files.readAllBytes(out);
    }
}
