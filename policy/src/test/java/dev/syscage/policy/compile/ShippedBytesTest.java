package dev.syscage.policy.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The bytes the compiler emits for every shipped profile ({@code profiles/*.yaml}) on x86_64 and
 * i386, optimized and unoptimized, and for 300 random policies, pinned by SHA-256 in
 * {@code compile/compiled-bytes.sha256}. The hashes were recorded before the optimizer became a
 * list of named passes (issue 17), so this proves the pass list emits what the old code did.
 *
 * <p>A compiler change that is meant to change programs fails here: check what changed (the
 * golden disassemblies of {@link GoldenProgramTest}, {@code syscage disasm}), then rewrite the
 * file with {@code mvn -pl policy test -Dtest=ShippedBytesTest -Dsyscage.golden.update=true}
 * and commit it with the reason.
 */
class ShippedBytesTest {
    private static final Path PROFILES = Path.of("../profiles");
    private static final Path HASHES = Path.of("src/test/resources/compile/compiled-bytes.sha256");
    private static final boolean UPDATE = Boolean.getBoolean("syscage.golden.update");
    private static final int RANDOM_POLICIES = 300;

    @Test
    void compiledBytesAreThoseRecorded() throws IOException {
        String got = String.join("\n", lines()) + "\n";
        if (UPDATE) {
            Files.writeString(HASHES, got, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(
                Files.readString(HASHES, StandardCharsets.UTF_8),
                got,
                "compiled bytes changed; see the class comment for how to update " + HASHES);
    }

    private static List<String> lines() throws IOException {
        List<Path> profiles;
        try (Stream<Path> s = Files.list(PROFILES)) {
            profiles = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(profiles.isEmpty(), "no profiles in " + PROFILES.toAbsolutePath());
        List<String> out = new ArrayList<>();
        for (Path p : profiles) {
            for (Arch a : List.of(Arch.X86_64, Arch.I386)) {
                Policy policy = PolicyLoader.load(p, new LoadOptions(List.of(PROFILES), List.of(a)));
                String name = p.getFileName() + " " + a;
                out.add(line(
                        name + " optimized",
                        PolicyCompiler.compile(policy, CompileOptions.defaults())
                                .program()));
                out.add(line(
                        name + " unoptimized",
                        PolicyCompiler.compile(policy, CompileOptions.unoptimized())
                                .program()));
            }
        }
        out.add(randomCorpus());
        return out;
    }

    /** One hash over the programs, optimized and not, of a fixed random corpus. */
    private static String randomCorpus() {
        RandomPolicies gen = new RandomPolicies(20261207L);
        MessageDigest all = sha256();
        int compiled = 0;
        for (int i = 0; i < RANDOM_POLICIES; i++) {
            Policy policy = gen.policy().policy();
            for (CompileOptions o : List.of(CompileOptions.defaults(), CompileOptions.unoptimized())) {
                try {
                    all.update(PolicyCompiler.compile(policy, o).program().toBytes());
                    compiled++;
                } catch (PolicyException e) {
                    all.update((byte) 0); // over the kernel's limit: the same policies must stay over it
                }
            }
        }
        return HexFormat.of().formatHex(all.digest()) + " random corpus seed 20261207 (" + compiled + " of "
                + 2 * RANDOM_POLICIES + " programs compiled)";
    }

    private static String line(String name, Program p) {
        return HexFormat.of().formatHex(sha256().digest(p.toBytes())) + " " + name + " (" + p.length()
                + " instructions)";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
