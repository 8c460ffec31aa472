package dev.syscage.policy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.fallback.PathSet.Item;
import dev.syscage.policy.fallback.PathSet.Kind;
import dev.syscage.policy.path.PathPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Path sets as Landlock rules grant them: intersections, patterns, and a pattern cut down to a set. */
class PathSetTest {
    private static PathSet tree(String... paths) {
        return PathSet.of(
                List.of(paths).stream().map(p -> new Item(p, Kind.TREE)).toList());
    }

    private static PathSet beneath(String... paths) {
        return PathSet.of(
                List.of(paths).stream().map(p -> new Item(p, Kind.BENEATH)).toList());
    }

    @Test
    void setsMeetInTheDeeperPlace() {
        assertEquals(tree("/tmp", "/dev/null"), tree("/").intersect(tree("/tmp", "/dev/null")));
        assertEquals(
                beneath("/tmp"), tree("/tmp").intersect(beneath("/tmp")), "making /tmp itself needs the right on /");
        assertEquals(tree("/tmp/a"), beneath("/tmp").intersect(tree("/tmp/a")));
        assertEquals(PathSet.EMPTY, tree("/usr").intersect(tree("/tmp")));
        assertEquals(PathSet.EMPTY, tree("/tmp").intersect(tree("/tmpx")), "a prefix of the name is not a parent");
        PathSet named = PathSet.of(List.of(new Item("/dev/null", Kind.EXACT), new Item("/", Kind.EXACT)));
        assertEquals(PathSet.of(List.of(new Item("/dev/null", Kind.EXACT))), named.intersect(tree("/dev/null")));
    }

    @Test
    void aUnionKeepsOnlyWhatNoOtherItemCovers() {
        assertEquals(
                List.of(new Item("/", Kind.TREE)), tree("/tmp", "/", "/usr").items());
        assertEquals(
                List.of(new Item("/tmp", Kind.TREE)),
                beneath("/tmp").union(tree("/tmp")).items());
        assertEquals(
                List.of(new Item("/tmp", Kind.BENEATH), new Item("/tmp", Kind.EXACT)),
                beneath("/tmp")
                        .union(PathSet.of(List.of(new Item("/tmp", Kind.EXACT))))
                        .items());
        assertTrue(tree("/").everywhere());
        assertTrue(beneath("/").everywhere(), "nothing makes or removes / itself");
        assertFalse(tree("/tmp").everywhere());
    }

    @Test
    void patternsMatchExactlyTheSet() {
        assertEquals(
                List.of("/tmp", "/tmp/**", "/"),
                PathSet.of(List.of(new Item("/tmp", Kind.TREE), new Item("/", Kind.EXACT)))
                        .patterns());
        assertEquals(
                List.of("/tmp/**", "/dev/null"),
                PathSet.of(List.of(new Item("/tmp", Kind.BENEATH), new Item("/dev/null", Kind.EXACT)))
                        .patterns());
        assertEquals(List.of("/", "/**"), tree("/").patterns());
        assertEquals(
                List.of("/srv/a\\*b\\?\\[c\\\\", "/srv/a\\*b\\?\\[c\\\\/**"),
                tree("/srv/a*b?[c\\").patterns());
        PathPattern odd = PathPattern.compile(tree("/srv/a*b?[c\\").patterns().get(0));
        assertTrue(odd.matches("/srv/a*b?[c\\"));
        assertFalse(odd.matches("/srv/axb?[c\\"));
    }

    @Test
    void aPatternCutDownToASet() {
        PathSet tmp = tree("/tmp");
        assertEquals(List.of("/tmp", "/tmp/**"), tmp.intersectPattern("/**"));
        assertEquals(List.of("/tmp/**"), tmp.intersectPattern("/tmp/**"));
        assertEquals(List.of("/tmp/**/*.so"), tmp.intersectPattern("/**/*.so"));
        assertEquals(List.of("/tmp/**/*.so"), beneath("/tmp").intersectPattern("/**/*.so"));
        assertEquals(List.of(), tmp.intersectPattern("/usr/**"));
        assertEquals(List.of("/tmp/a*"), tmp.intersectPattern("/tmp/a*"));
        assertEquals(List.of("/tmp/abc"), tree("/tmp/abc").intersectPattern("/tmp/a*"));
        assertEquals(List.of(), beneath("/tmp/abc").intersectPattern("/tmp/a*"), "the pattern ends at the path");
        assertEquals(
                List.of("/srv/x/lib/*.so", "/srv/x/lib/**/lib/*.so"),
                tree("/srv/x/lib").intersectPattern("/**/lib/*.so"));
        assertEquals(
                List.of("/tmp"),
                PathSet.of(List.of(new Item("/tmp", Kind.EXACT))).intersectPattern("/t*"));
        assertEquals(
                List.of(), PathSet.of(List.of(new Item("/usr", Kind.EXACT))).intersectPattern("/t*"));
    }

    /** A cut-down pattern matches a path exactly when the pattern and the set both do, on a corpus of paths. */
    @Test
    void aCutDownPatternMatchesWhatBothMatch() {
        List<String> paths = List.of(
                "/",
                "/tmp",
                "/tmp/a.so",
                "/tmp/x/y.so",
                "/tmp/lib",
                "/tmp/lib/a.so",
                "/usr/lib/a.so",
                "/srv",
                "/srv/x",
                "/srv/x/lib",
                "/srv/x/lib/a.so",
                "/srv/x/lib/lib/b.so",
                "/srv/y/lib/a.so",
                "/tmpx/a.so");
        List<PathSet> sets = List.of(
                tree("/tmp"),
                beneath("/tmp"),
                tree("/srv/x/lib"),
                beneath("/srv/x"),
                tree("/"),
                PathSet.of(List.of(new Item("/tmp/lib", Kind.EXACT), new Item("/srv", Kind.TREE))));
        List<String> patterns = List.of("/**", "/**/*.so", "/**/lib/*.so", "/tmp/*", "/t*/**", "/srv/*/lib/**", "/tmp");
        for (PathSet s : sets) {
            for (String pattern : patterns) {
                List<PathPattern> cut = s.intersectPattern(pattern).stream()
                        .map(PathPattern::compile)
                        .toList();
                PathPattern p = PathPattern.compile(pattern);
                for (String path : paths) {
                    boolean both = p.matches(path) && s.contains(path);
                    assertEquals(both, cut.stream().anyMatch(c -> c.matches(path)), s + " " + pattern + " " + path);
                }
            }
        }
    }
}
