package dev.syscage.policy.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.syscage.policy.diag.PolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden error corpus: each {@code errors/NAME.yaml} must fail to load, and the rendered
 * diagnostics (every one, with source line and caret) must equal {@code errors/NAME.err}.
 * Files under {@code errors/included/} are only include targets. Run with
 * {@code -Dsyscage.golden.update=true} to rewrite the .err files from the current output.
 */
class ErrorCorpusTest {
    private static final Path DIR = Path.of("src", "test", "resources", "errors");
    private static final boolean UPDATE = Boolean.getBoolean("syscage.golden.update");
    private static final int MINIMUM_CASES = 25;

    @TestFactory
    Stream<DynamicTest> everyCaseRendersExactlyItsGoldenErrors() throws IOException {
        List<Path> cases;
        try (Stream<Path> files = Files.list(DIR)) {
            cases = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertTrue(cases.size() >= MINIMUM_CASES, "only " + cases.size() + " error cases in " + DIR);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> check(c)));
    }

    private static void check(Path yaml) throws IOException {
        String name = yaml.getFileName().toString();
        Path err = DIR.resolve(name.substring(0, name.length() - ".yaml".length()) + ".err");
        String actual;
        try {
            PolicyLoader.load(yaml, name, new LoadOptions(List.of(), List.of()));
            fail(name + " loaded without errors");
            return;
        } catch (PolicyException e) {
            actual = e.render() + "\n";
        }
        assertFalse(actual.contains("\tat "), "a stack trace in the output of " + name);
        if (UPDATE) {
            Files.writeString(err, actual, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.exists(err), err + " is missing; run with -Dsyscage.golden.update=true to create it");
        assertEquals(Files.readString(err, StandardCharsets.UTF_8), actual, name);
    }
}
