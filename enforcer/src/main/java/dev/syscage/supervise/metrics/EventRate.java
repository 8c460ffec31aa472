package dev.syscage.supervise.metrics;

import java.util.function.LongSupplier;

/**
 * Events per second over the last interval, for a gauge. A read at least {@code interval} after
 * the previous window began closes that window and computes its rate; reads in between give the
 * last window's rate, so scrapes at any frequency see a steady value. The clock is injected so
 * tests need not sleep.
 */
final class EventRate {
    private final LongSupplier count;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private long windowStart;
    private long windowStartCount;
    private double rate;

    EventRate(LongSupplier count, LongSupplier nanoClock, long intervalNanos) {
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + intervalNanos + " ns");
        }
        this.count = count;
        this.nanoClock = nanoClock;
        this.intervalNanos = intervalNanos;
        this.windowStart = nanoClock.getAsLong();
        this.windowStartCount = count.getAsLong();
    }

    synchronized double perSecond() {
        long now = nanoClock.getAsLong();
        long elapsed = now - windowStart;
        if (elapsed >= intervalNanos) {
            long c = count.getAsLong();
            rate = (c - windowStartCount) * 1e9 / elapsed;
            windowStart = now;
            windowStartCount = c;
        }
        return rate;
    }
}
