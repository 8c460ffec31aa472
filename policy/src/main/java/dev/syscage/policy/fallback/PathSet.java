package dev.syscage.policy.fallback;

import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.path.PathPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of paths as Landlock rules grant them, for {@link SupervisorFallback}: a union of items,
 * each a path and what of it the item covers. A rule on P grants a right on a file (read, write,
 * execute, truncate) to P and everything beneath it ({@link Kind#TREE}); a right on a
 * directory's entries (make, remove, refer) only to what is beneath P ({@link Kind#BENEATH}):
 * removing or creating P itself needs the right on P's parent. Intersections of such unions are
 * unions of such items again, so the paths where a call has every right it needs are exact, and
 * are written as supervise path patterns ({@link #patterns}).
 *
 * <p>Paths are absolute and normalized (no "//", ".", ".." or trailing '/'), as
 * {@link LandlockRuleset} keeps them.
 */
final class PathSet {
    /** What of its path an item covers. */
    enum Kind {
        /** The path and everything beneath it. */
        TREE,
        /** Everything strictly beneath the path. */
        BENEATH,
        /** The path alone. */
        EXACT
    }

    record Item(String path, Kind kind) {
        boolean contains(String p) {
            return switch (kind) {
                case TREE -> within(p, path);
                case BENEATH -> !p.equals(path) && within(p, path);
                case EXACT -> p.equals(path);
            };
        }

        boolean contains(Item o) {
            return switch (o.kind) {
                case EXACT -> contains(o.path);
                case TREE -> kind == Kind.TREE ? within(o.path, path) : kind == Kind.BENEATH && contains(o.path);
                case BENEATH -> kind != Kind.EXACT && within(o.path, path);
            };
        }
    }

    static final PathSet EMPTY = new PathSet(List.of());
    static final PathSet EVERYWHERE = new PathSet(List.of(new Item("/", Kind.TREE)));

    private final List<Item> items;

    private PathSet(List<Item> items) {
        this.items = items;
    }

    /** The union of {@code items}, without those another one contains. */
    static PathSet of(List<Item> items) {
        List<Item> kept = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item a = items.get(i);
            boolean covered = false;
            for (int j = 0; j < items.size() && !covered; j++) {
                Item b = items.get(j);
                // of two equal items the first is kept
                covered = j != i && b.contains(a) && (!a.contains(b) || j < i);
            }
            if (!covered) {
                kept.add(a);
            }
        }
        return new PathSet(List.copyOf(kept));
    }

    List<Item> items() {
        return items;
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether the set leaves out no path a call can name: it covers "/" and all beneath it, or all
     * beneath it (what is made, removed or moved is never "/" itself).
     */
    boolean everywhere() {
        return items.stream().anyMatch(i -> i.path.equals("/") && i.kind != Kind.EXACT);
    }

    boolean contains(String path) {
        return items.stream().anyMatch(i -> i.contains(path));
    }

    PathSet union(PathSet o) {
        List<Item> all = new ArrayList<>(items);
        all.addAll(o.items);
        return of(all);
    }

    PathSet intersect(PathSet o) {
        List<Item> out = new ArrayList<>();
        for (Item a : items) {
            for (Item b : o.items) {
                Item c = intersect(a, b);
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return of(out);
    }

    /** Two items meet in the deeper one's place, or not at all: one path must be within the other's. */
    private static Item intersect(Item a, Item b) {
        if (a.kind == Kind.EXACT || b.kind == Kind.EXACT) {
            Item exact = a.kind == Kind.EXACT ? a : b;
            Item other = exact == a ? b : a;
            return other.contains(exact.path) ? exact : null;
        }
        if (a.path.equals(b.path)) {
            return a.kind == Kind.BENEATH ? a : b;
        }
        if (within(a.path, b.path)) {
            return a;
        }
        return within(b.path, a.path) ? b : null;
    }

    /** The supervise path patterns that match exactly the paths of this set. */
    List<String> patterns() {
        List<String> out = new ArrayList<>();
        for (Item i : items) {
            String p = escape(i.path);
            String beneath = i.path.equals("/") ? "/**" : p + "/**";
            switch (i.kind) {
                case TREE -> {
                    out.add(p);
                    out.add(beneath);
                }
                case BENEATH -> out.add(beneath);
                case EXACT -> out.add(p);
            }
        }
        return out;
    }

    /**
     * Patterns that match exactly the paths both {@code pattern} and this set match: how a
     * policy's own supervise rule is cut down to the paths the file-system section allows. A
     * literal path meets a pattern where the pattern matches it; a tree or what is beneath a path
     * P where the pattern's components, taken one by one, can match P's and then go on beneath it
     * ({@code /**}{@code /*.so} and the tree of /tmp meet in {@code /tmp/**}{@code /*.so}).
     */
    List<String> intersectPattern(String pattern) {
        PathPattern whole = PathPattern.compile(pattern);
        List<String> globs = pattern.equals("/")
                ? List.of()
                : Arrays.asList(pattern.substring(1).split("/", -1));
        Set<String> out = new LinkedHashSet<>();
        for (Item i : items) {
            if (i.kind != Kind.BENEATH && whole.matches(i.path)) {
                out.add(escape(i.path));
            }
            if (i.kind != Kind.EXACT) {
                List<String> parts = i.path.equals("/")
                        ? List.of()
                        : Arrays.asList(i.path.substring(1).split("/"));
                beneath(globs, 0, parts, 0, "", out);
            }
        }
        return List.copyOf(out);
    }

    /**
     * The patterns for what is strictly beneath the path {@code parts} and matched by the pattern
     * {@code globs}, with {@code parts[0..j)} matched by {@code globs[0..i)} as {@code done}.
     */
    private static void beneath(List<String> globs, int i, List<String> parts, int j, String done, Set<String> out) {
        if (j == parts.size()) {
            if (i < globs.size()) {
                out.add(done + "/" + String.join("/", globs.subList(i, globs.size())));
            }
            return;
        }
        if (i == globs.size()) {
            return; // the pattern ends above the path: it matches only ancestors of it
        }
        String g = globs.get(i);
        String part = escape(parts.get(j));
        if (g.equals("**") && i == globs.size() - 1) {
            // a trailing ** takes the rest of the path and at least one more component
            List<String> rest =
                    parts.subList(j, parts.size()).stream().map(PathSet::escape).toList();
            out.add(done + "/" + String.join("/", rest) + "/**");
        } else if (g.equals("**")) {
            beneath(globs, i + 1, parts, j, done, out); // ** takes no component
            beneath(globs, i, parts, j + 1, done + "/" + part, out); // ** takes this one, and maybe more
        } else if (PathPattern.compile("/" + g).matches("/" + parts.get(j))) {
            beneath(globs, i + 1, parts, j + 1, done + "/" + part, out);
        }
    }

    /** Whether {@code p} is {@code root} or beneath it. */
    static boolean within(String p, String root) {
        return p.equals(root) || root.equals("/") || p.startsWith(root + "/");
    }

    /** A literal path as a pattern: wildcards and the escape character made literal. */
    static String escape(String path) {
        StringBuilder b = new StringBuilder();
        for (char c : path.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathSet s && Set.copyOf(s.items).equals(Set.copyOf(items));
    }

    @Override
    public int hashCode() {
        return Set.copyOf(items).hashCode();
    }

    @Override
    public String toString() {
        return items.toString();
    }
}
