package dev.syscage.policy.lower;

/** Syscall numbers {@code lo..hi} (inclusive, unsigned 32-bit) that share one outcome. */
public record Interval(long lo, long hi, Outcome outcome) {

    public Interval {
        if (lo < 0 || hi > 0xFFFFFFFFL || lo > hi) {
            throw new IllegalArgumentException("bad interval " + lo + ".." + hi);
        }
    }

    public long size() {
        return hi - lo + 1;
    }

    public boolean isSingle() {
        return lo == hi;
    }
}
