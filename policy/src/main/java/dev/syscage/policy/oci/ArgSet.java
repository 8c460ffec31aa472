package dev.syscage.policy.oci;

import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An exact set of raw 64-bit values of one syscall argument, as a union of {@link Pattern}s.
 * Every {@link Cond.Test} has one: only the bits of its width and mask take part, so garbage in
 * the other bits is matched the way the kernel ignores it. Sets intersect exactly, which gives
 * both the satisfiability of a conjunction (importer: can two OCI rules match the same call?)
 * and the {@code SCMP_CMP_MASKED_EQ} comparisons that select the same values (exporter).
 */
final class ArgSet {
    static final ArgSet ALL = new ArgSet(List.of(Pattern.ANY));
    static final ArgSet NONE = new ArgSet(List.of());

    /** Above this many pairs an intersection is abandoned as too complex. */
    private static final int MAX_PAIRS = 1 << 16;

    private static final Comparator<Pattern> ORDER = Comparator.comparing(
                    (Pattern p) -> p.mask(), Long::compareUnsigned)
            .thenComparing(Pattern::value, Long::compareUnsigned);

    private final List<Pattern> patterns;

    private ArgSet(List<Pattern> patterns) {
        this.patterns = List.copyOf(patterns);
    }

    /** The set of raw values for which {@code t.eval(x)} holds. */
    static ArgSet of(Cond.Test t) {
        long em = t.mask() & Cond.Test.widthMask(t.width());
        long v = t.value();
        List<Pattern> out = new ArrayList<>();
        switch (t.op()) {
            case EQ -> {
                if ((v & ~em) == 0) {
                    out.add(new Pattern(em, v));
                }
            }
            case NE -> {
                if ((v & ~em) != 0) {
                    return ALL;
                }
                for (long b : bits(em)) {
                    out.add(new Pattern(b, ~v & b));
                }
            }
            case ANY_BITS -> {
                for (long b : bits(em)) {
                    out.add(new Pattern(b, b));
                }
            }
            case LT -> {
                if (v != 0) {
                    out.addAll(range(0, v - 1, em));
                }
            }
            case LE -> out.addAll(range(0, v, em));
            case GT -> {
                if (v != -1L) {
                    out.addAll(range(v + 1, -1L, em));
                }
            }
            case GE -> out.addAll(range(v, -1L, em));
        }
        return new ArgSet(simplify(out));
    }

    static ArgSet union(Collection<Pattern> patterns) {
        return new ArgSet(simplify(patterns));
    }

    List<Pattern> patterns() {
        return patterns;
    }

    boolean isEmpty() {
        return patterns.isEmpty();
    }

    boolean isAll() {
        return patterns.size() == 1 && patterns.get(0).equals(Pattern.ANY);
    }

    boolean contains(long x) {
        return patterns.stream().anyMatch(p -> p.matches(x));
    }

    /** The values in both sets; throws {@link TooComplexException} when that needs more than {@code limit} patterns. */
    ArgSet intersect(ArgSet o, int limit) {
        if (isAll()) {
            return o;
        }
        if (o.isAll()) {
            return this;
        }
        if ((long) patterns.size() * o.patterns.size() > MAX_PAIRS) {
            throw new TooComplexException((long) patterns.size() * o.patterns.size());
        }
        List<Pattern> out = new ArrayList<>();
        for (Pattern a : patterns) {
            for (Pattern b : o.patterns) {
                a.intersect(b).ifPresent(out::add);
            }
        }
        List<Pattern> s = simplify(out);
        if (s.size() > limit) {
            throw new TooComplexException(s.size());
        }
        return new ArgSet(s);
    }

    /** Each set bit of {@code m} on its own, lowest first. */
    private static List<Long> bits(long m) {
        List<Long> out = new ArrayList<>();
        for (long rest = m; rest != 0; rest &= rest - 1) {
            out.add(Long.lowestOneBit(rest));
        }
        return out;
    }

    /**
     * Values whose masked part {@code y = x & em} lies in {@code [lo, hi]} (unsigned): the range
     * split into aligned power-of-two blocks, each block a pattern on the bits above its size.
     */
    private static List<Pattern> range(long lo, long hi, long em) {
        List<Pattern> out = new ArrayList<>();
        long top = Long.compareUnsigned(hi, em) > 0 ? em : hi;
        long cur = lo;
        while (Long.compareUnsigned(cur, top) <= 0) {
            int k = cur == 0 ? 64 : Long.numberOfTrailingZeros(cur);
            while (k > 0 && Long.compareUnsigned(cur + lowMask(k), top) > 0) {
                k--;
            }
            long low = lowMask(k);
            if ((cur & ~em) == 0) {
                out.add(new Pattern(em & ~low, cur));
            }
            long next = cur + low + 1;
            if (next == 0) {
                break;
            }
            cur = next;
        }
        return out;
    }

    private static long lowMask(int k) {
        return k >= 64 ? -1L : (1L << k) - 1;
    }

    /** Removes duplicates, joins sibling patterns and drops patterns another one covers. */
    private static List<Pattern> simplify(Collection<Pattern> in) {
        Set<Pattern> set = new LinkedHashSet<>(in);
        if (set.contains(Pattern.ANY)) {
            return List.of(Pattern.ANY);
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Pattern p : new ArrayList<>(set)) {
                if (!set.contains(p)) {
                    continue;
                }
                for (long b : bits(p.mask())) {
                    Pattern sibling = new Pattern(p.mask(), p.value() ^ b);
                    if (set.contains(sibling)) {
                        set.remove(p);
                        set.remove(sibling);
                        set.add(new Pattern(p.mask() & ~b, p.value() & ~b));
                        changed = true;
                        break;
                    }
                }
            }
        }
        List<Pattern> list = new ArrayList<>(set);
        Set<Pattern> covered = new HashSet<>();
        for (Pattern p : list) {
            for (Pattern q : list) {
                if (p != q && !covered.contains(q) && q.covers(p)) {
                    covered.add(p);
                    break;
                }
            }
        }
        list.removeAll(covered);
        list.sort(ORDER);
        return list;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArgSet s && s.patterns.equals(patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return patterns.toString();
    }
}
