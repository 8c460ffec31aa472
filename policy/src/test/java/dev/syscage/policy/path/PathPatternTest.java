package dev.syscage.policy.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Glob semantics as a table of pattern × path → match, and the mistakes a pattern can have. */
class PathPatternTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            # ** at the end: everything under the directory, not the directory itself
            /usr/**            | /usr/bin/ls                          | true
            /usr/**            | /usr/lib/x86_64-linux-gnu/libc.so.6  | true
            /usr/**            | /usr                                 | false
            /usr/**            | /usrx/bin                            | false
            /usr/**            | /                                    | false
            /**                | /anything/at/all                     | true
            /**                | /                                    | false
            # * stays within one component
            /usr/bin/*         | /usr/bin/ls                          | true
            /usr/bin/*         | /usr/bin/sub/ls                      | false
            /usr/bin/*         | /usr/bin                             | false
            /home/*/.ssh/**    | /home/alice/.ssh/id_rsa              | true
            /home/*/.ssh/**    | /home/.ssh/id_rsa                    | false
            /home/*/.ssh/**    | /home/alice/bob/.ssh/id_rsa          | false
            /x/*a*b*           | /x/aXXbYY                            | true
            /x/*a*b*           | /x/bXXa                              | false
            # literal patterns: '.' is just a dot
            /etc/ld.so.cache   | /etc/ld.so.cache                     | true
            /etc/ld.so.cache   | /etc/ld_so_cache                     | false
            /etc/ld.so.cache   | /etc/ld.so.cache2                    | false
            /etc/ld.so.cache   | /etc                                 | false
            /                  | /                                    | true
            /                  | /tmp                                 | false
            # ** in the middle: zero or more whole components
            /a/**/b            | /a/b                                 | true
            /a/**/b            | /a/x/b                               | true
            /a/**/b            | /a/x/y/b                             | true
            /a/**/b            | /a/x/y/bc                            | false
            /a/**/b            | /a/b/x                               | false
            /a/**/b/**         | /a/x/b/y                             | true
            /a/**/b/**         | /a/x/b                               | false
            /**/*.so           | /libc.so                             | true
            /**/*.so           | /lib/x/libc.so                       | true
            /**/*.so           | /lib/libc.so.6                       | false
            /**/**/c           | /c                                   | true
            # ? and classes: one character, never '/'
            /dev/tty?          | /dev/tty1                            | true
            /dev/tty?          | /dev/tty                             | false
            /dev/tty?          | /dev/tty10                           | false
            /dev/tty[0-9]      | /dev/tty7                            | true
            /dev/tty[0-9]      | /dev/ttyS                            | false
            /dev/tty[!0-9]     | /dev/ttyS                            | true
            /dev/tty[^0-9]     | /dev/tty7                            | false
            /dev/[abc-]x       | /dev/-x                              | true
            /dev/[abc-]x       | /dev/dx                              | false
            /x/?               | /x/é                                 | true
            /x/?               | /x/😀                                | true
            /x/??              | /x/😀                                | false
            # escapes make wildcards literal
            /tmp/\\*           | /tmp/*                               | true
            /tmp/\\*           | /tmp/x                               | false
            /tmp/\\[a]         | /tmp/[a]                             | true
            # anything that is not an absolute path never matches
            /usr/**            | usr/bin                              | false
            /**                | ''                                   | false
            """)
    void matches(String pattern, String path, boolean expected) {
        assertEquals(expected, PathPattern.compile(pattern).matches(path));
    }

    @Test
    void manyStarsOnALongNonMatchingPathStayFast() {
        PathPattern p = PathPattern.compile("/**/a*a*a*a*a*b/**/c");
        String component = "a".repeat(200);
        String path = ("/" + component).repeat(20) + "/d";
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertFalse(p.matches(path)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            usr/**        | 0 | path pattern 'usr/**' is not absolute; patterns match absolute paths (did you mean '/usr/**'?)
            ~/x           | 0 | path pattern '~/x' is not absolute; patterns match absolute paths
            /tmp/         | 4 | a trailing '/' never matches: matched paths have none; write '/tmp' for the directory itself or '/tmp/**' for what is under it
            /tmp/**/      | 7 | a trailing '/' never matches: matched paths have none; write '/tmp' for the directory itself or '/tmp/**' for what is under it
            /a//b         | 3 | empty path component ('//'); matched paths have '//' folded to '/'
            /a/./b        | 3 | '.' in a path pattern never matches: paths are matched with '.' and '..' already folded
            /a/b**        | 4 | '**' must be a whole path component, as in '/usr/**' or '/usr/**/lib'; within a name use '*'
            /a/***        | 3 | '**' must be a whole path component, as in '/usr/**' or '/usr/**/lib'; within a name use '*'
            /a/[bc        | 3 | unclosed '['; a character class ends with ']' in the same path component (write '\\[' for a literal '[')
            /a/[b/c]      | 3 | unclosed '['; a character class ends with ']' in the same path component (write '\\[' for a literal '[')
            /a/x[]        | 4 | empty character class '[]'
            /a/[z-a]      | 4 | range 'z-a' is backwards; write the smaller character first
            /a/x\\        | 4 | '\\' at the end escapes nothing
            /a\\/b        | 2 | '\\' cannot escape '/': a path component never contains one
            """)
    void mistakesAreReportedWithTheirOffset(String pattern, int offset, String message) {
        PathPatternSyntaxError e = assertThrows(PathPatternSyntaxError.class, () -> PathPattern.compile(pattern));
        assertEquals(message, e.getMessage());
        assertEquals(offset, e.offset());
    }

    @Test
    void emptyPatternIsAnError() {
        PathPatternSyntaxError e = assertThrows(PathPatternSyntaxError.class, () -> PathPattern.compile(""));
        assertEquals("empty path pattern; write an absolute path such as '/tmp/**'", e.getMessage());
    }

    @Test
    void patternsAreEqualByText() {
        assertEquals(PathPattern.compile("/usr/**"), PathPattern.compile("/usr/**"));
        assertEquals("/usr/**", PathPattern.compile("/usr/**").toString());
    }
}
