package dev.syscage.supervise.decode;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Builds {@link NameSet}s from the kernel constants of one architecture, following the set
 * definitions in the resource {@code namesets.tsv} (or an inline definition in
 * {@code argkinds.tsv}). The definitions are data because which names belong together, which are
 * aliases (O_NDELAY is O_NONBLOCK) and which are masks (O_ACCMODE) is knowledge about the kernel,
 * not code. A set where two names share a value is an error, so every alias is decided in the
 * data, once, and checked for every architecture by the tests.
 *
 * <pre>
 * line    = set-name TAB ("enum" | "flags") TAB tokens
 * tokens  = token { " " token }
 * token   = "!" pattern            names never in this set (also not through a pattern or @set)
 *         | "@" set-name           the names, fields and zero name of a set defined above
 *         | mask "{" tokens "}"    a field: the bits of mask (a constant or 0x hex) hold one of
 *                                  the inner names, e.g. O_ACCMODE{O_RDONLY O_WRONLY O_RDWR}
 *         | pattern
 * pattern = NAME | PREFIX "*" [SUFFIX]   matches in value order; a flag set prints its
 *                                  names in the order they are listed here
 * </pre>
 */
final class NameSets {
    static final String RESOURCE = "namesets.tsv";

    private final Arch arch;
    private final Constants constants;
    private final Map<String, NameSet> sets = new LinkedHashMap<>();

    private NameSets(Arch arch) {
        this.arch = arch;
        this.constants = Constants.of(arch);
    }

    /** All sets of {@code namesets.tsv}, built for one architecture. */
    static NameSets load(Arch arch) {
        NameSets ns = new NameSets(arch);
        for (TsvResource.Line line : TsvResource.read(RESOURCE, 3)) {
            String where = line.where();
            NameSet.Type type = switch (line.field(1)) {
                case "enum" -> NameSet.Type.ENUM;
                case "flags" -> NameSet.Type.FLAGS;
                default ->
                    throw new IllegalStateException(
                            where + ": type must be enum or flags, not '" + line.field(1) + "'");
            };
            if (ns.sets.containsKey(line.field(0))) {
                throw new IllegalStateException(where + ": set '" + line.field(0) + "' is defined twice");
            }
            ns.sets.put(line.field(0), ns.build(line.field(0), type, line.field(2), where));
        }
        return ns;
    }

    Map<String, NameSet> all() {
        return sets;
    }

    /** A set named in namesets.tsv, or else {@code spec} read as an inline token list. */
    NameSet resolve(String spec, NameSet.Type type, String where) {
        NameSet named = sets.get(spec);
        if (named != null) {
            if (named.type() != type) {
                throw new IllegalStateException(where + ": set '" + spec + "' is " + named.type() + ", not " + type);
            }
            return named;
        }
        return build(spec, type, spec, where);
    }

    /** Bits named {@code name} here, for the decoder's own checks (AT_FDCWD, O_CREAT, ...). */
    long value(String name) {
        OptionalLong v = constants.value(name);
        if (v.isEmpty()) {
            throw new IllegalStateException("no constant " + name + " for " + arch);
        }
        return v.getAsLong();
    }

    private NameSet build(String id, NameSet.Type type, String tokenText, String where) {
        List<String> tokens = tokenize(tokenText, where);
        Set<String> excluded = new LinkedHashSet<>();
        for (String t : tokens) {
            if (t.startsWith("!")) {
                excluded.addAll(match(t.substring(1), where + ": set '" + id + "'"));
            }
        }
        Map<String, Long> entries = new LinkedHashMap<>();
        List<NameSet.Field> fields = new ArrayList<>();
        String zeroName = null;
        for (String t : tokens) {
            if (t.startsWith("!")) {
                continue;
            } else if (t.startsWith("@")) {
                NameSet other = sets.get(t.substring(1));
                if (other == null) {
                    throw new IllegalStateException(
                            where + ": set '" + id + "' uses " + t + ", which is not defined above it");
                }
                other.entries().stream()
                        .filter(e -> !excluded.contains(e.name()))
                        .forEach(e -> entries.putIfAbsent(e.name(), e.value()));
                fields.addAll(other.fields());
                zeroName = zeroName != null ? zeroName : other.zeroName();
            } else if (t.endsWith("}")) {
                fields.add(field(id, t, where));
            } else {
                for (String name : match(t, where + ": set '" + id + "'")) {
                    if (!excluded.contains(name)) {
                        entries.putIfAbsent(
                                name, normalize(constants.value(name).getAsLong()));
                    }
                }
            }
        }
        return finish(id, type, entries, fields, zeroName, where);
    }

    private NameSet finish(
            String id,
            NameSet.Type type,
            Map<String, Long> entries,
            List<NameSet.Field> fields,
            String zeroName,
            String where) {
        List<NameSet.Entry> list = new ArrayList<>();
        Map<Long, String> seen = new HashMap<>();
        for (Map.Entry<String, Long> e : entries.entrySet()) {
            long v = e.getValue();
            if (type == NameSet.Type.FLAGS && v == 0) {
                if (zeroName != null && !zeroName.equals(e.getKey())) {
                    throw collision(id, where, zeroName, e.getKey(), 0);
                }
                zeroName = e.getKey();
                continue;
            }
            String before = seen.putIfAbsent(v, e.getKey());
            if (before != null) {
                throw collision(id, where, before, e.getKey(), v);
            }
            list.add(new NameSet.Entry(e.getKey(), v));
        }
        if (list.isEmpty() && fields.isEmpty() && zeroName == null) {
            throw new IllegalStateException(where + ": set '" + id + "' has no names on " + arch);
        }
        return new NameSet(id, type, list, fields, zeroName);
    }

    private IllegalStateException collision(String id, String where, String a, String b, long v) {
        return new IllegalStateException(where + ": set '" + id + "' on " + arch + ": " + a + " and " + b + " are both "
                + Text.hex(v) + "; keep one (exclude the other with !NAME)");
    }

    private NameSet.Field field(String id, String token, String where) {
        int open = token.indexOf('{');
        if (open <= 0) {
            throw new IllegalStateException(where + ": set '" + id + "': a field is MASK{NAMES}, not '" + token + "'");
        }
        String maskText = token.substring(0, open);
        long mask = maskText.startsWith("0x")
                ? Long.parseUnsignedLong(maskText.substring(2), 16)
                : normalize(constants
                        .value(maskText)
                        .orElseThrow(() -> new IllegalStateException(
                                where + ": set '" + id + "': unknown constant " + maskText + " on " + arch)));
        NameSet inner =
                build(id + "." + maskText, NameSet.Type.ENUM, token.substring(open + 1, token.length() - 1), where);
        for (NameSet.Entry e : inner.entries()) {
            if ((e.value() & ~mask) != 0) {
                throw new IllegalStateException(where + ": set '" + id + "': " + e.name() + " (" + Text.hex(e.value())
                        + ") is outside the field mask " + maskText);
            }
        }
        return new NameSet.Field(mask, inner);
    }

    /** The constant names a pattern stands for: one exact name, or all a {@code *} matches, by value. */
    private List<String> match(String pattern, String where) {
        int star = pattern.indexOf('*');
        if (star < 0) {
            if (constants.value(pattern).isEmpty()) {
                throw new IllegalStateException(where + ": unknown constant " + pattern + " on " + arch);
            }
            return List.of(pattern);
        }
        String prefix = pattern.substring(0, star);
        String suffix = pattern.substring(star + 1);
        List<String> names = new ArrayList<>();
        for (String n : constants.names()) {
            if (n.startsWith(prefix) && n.endsWith(suffix) && n.length() >= prefix.length() + suffix.length()) {
                names.add(n);
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException(where + ": no constant matches " + pattern + " on " + arch);
        }
        names.sort(
                Comparator.comparing((String n) -> normalize(constants.value(n).getAsLong()), Long::compareUnsigned)
                        .thenComparing(Comparator.naturalOrder()));
        return names;
    }

    /** Negative int constants (MS_NOUSER) are bit 31 of a 32-bit argument, not 64 set bits. */
    static long normalize(long v) {
        return v < 0 && v >= Integer.MIN_VALUE ? v & 0xffffffffL : v;
    }

    private static List<String> tokenize(String text, String where) {
        List<String> tokens = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) && depth == 0) {
                if (cur.length() > 0) {
                    tokens.add(cur.toString());
                    cur.setLength(0);
                }
                continue;
            }
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth < 0 || depth > 1) {
                throw new IllegalStateException(where + ": unbalanced or nested braces in '" + text + "'");
            }
            cur.append(c);
        }
        if (depth != 0) {
            throw new IllegalStateException(where + ": unclosed brace in '" + text + "'");
        }
        if (cur.length() > 0) {
            tokens.add(cur.toString());
        }
        if (tokens.isEmpty()) {
            throw new IllegalStateException(where + ": empty set");
        }
        return tokens;
    }
}
