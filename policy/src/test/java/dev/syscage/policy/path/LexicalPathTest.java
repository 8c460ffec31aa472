package dev.syscage.policy.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lexical resolution: relative to a base, "." and ".." folded, no file system access. */
class LexicalPathTest {

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /home/u | a/../b          | /home/u/b
            /home/u | ../../../etc    | /etc
            /       | ..              | /
            /x      | /etc//passwd/   | /etc/passwd
            /x      | ./y/.           | /x/y
            /x      | ''              | /x
            /x/     | y               | /x/y
            /x      | /tmp/link/../s  | /tmp/s
            """)
    void resolves(String base, String path, String expected) {
        assertEquals(expected, LexicalPath.resolve(base, path));
    }

    @Test
    void aRelativePathNeedsAnAbsoluteBase() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LexicalPath.resolve("x", "a"));
        assertEquals("relative path 'a' needs an absolute base, got 'x'", e.getMessage());
    }

    @Test
    void anAbsolutePathIgnoresTheBase() {
        assertEquals("/etc/passwd", LexicalPath.resolve(null, "/etc/./passwd"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /              | true
            /a/b.c/..d     | true
            /a/.hidden     | true
            ''             | false
            a/b            | false
            /a/            | false
            /a//b          | false
            /a/./b         | false
            /a/..          | false
            /.             | false
            """)
    void tellsWhetherAPathIsAlreadyNormalized(String path, boolean expected) {
        assertEquals(expected, LexicalPath.isNormalized(path));
        if (path.startsWith("/")) {
            assertEquals(expected, LexicalPath.normalize(path).equals(path));
        }
    }
}
