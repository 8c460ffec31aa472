package dev.syscage.policy.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden pairs: each {@code golden/NAME.yaml} compiles to the program disassembled in
 * {@code NAME.bpf.txt} (and {@code NAME.noopt.bpf.txt} unoptimized). A diff of the text shows
 * what a compiler change did. {@code -Dsyscage.golden.update=true} rewrites the files.
 */
class GoldenProgramTest {
    private static final Path DIR = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("syscage.golden.update");

    @TestFactory
    Stream<DynamicTest> goldenPrograms() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(DIR)) {
            cases = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(cases.isEmpty(), "no golden cases in " + DIR.toAbsolutePath());
        return cases.stream()
                .flatMap(c -> Stream.of(
                        DynamicTest.dynamicTest(
                                c.getFileName() + " optimized", () -> check(c, CompileOptions.defaults(), ".bpf.txt")),
                        DynamicTest.dynamicTest(
                                c.getFileName() + " unoptimized",
                                () -> check(c, CompileOptions.unoptimized(), ".noopt.bpf.txt"))));
    }

    private static void check(Path yaml, CompileOptions options, String suffix) throws IOException {
        Policy policy = PolicyLoader.load(yaml, LoadOptions.defaults());
        SyscallTable names = SyscallTable.of(policy.arches().get(0).arch());
        String got = Disassembler.disassemble(
                PolicyCompiler.compile(policy, options).program(),
                nr -> names.byNumber(nr).map(s -> s.name()).orElse(null));
        String base = yaml.getFileName().toString().replaceFirst("\\.yaml$", "");
        Path golden = yaml.resolveSibling(base + suffix);
        if (UPDATE || !Files.exists(golden)) {
            Files.writeString(golden, got, StandardCharsets.UTF_8);
            if (!UPDATE) {
                throw new AssertionError(golden + " did not exist; written now, check it and commit it");
            }
            return;
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), got, "disassembly of " + yaml + " changed");
    }
}
