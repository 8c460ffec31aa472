package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.NotifyFastPath.*;

import dev.syscage.nativeaccess.NotifyFastPath;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.rewrite.ViewWatch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.NotifyDecider;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The table the native receive loop ({@link dev.syscage.nativeaccess.NotifyFastPath}) answers
 * from: for each (architecture, syscall number) either "ask Java" or the answer the decider
 * gives every call of it ({@link NotifyDecider#decisionByNumber}: no argument, path, hook or
 * audit record can make a difference), CONTINUE for allow or the errno. Never a kill, an exec,
 * or a call {@link ViewWatch} watches: those always come to Java. The native loop counts what it
 * answers; {@link #publish} hands the new counts to the decider's metrics and summary.
 * Not thread-safe: the supervisor thread owns it.
 */
final class FixedAnswers {
    /** Syscall numbers covered per architecture; a call above them asks Java. */
    static final int NRS = 512;

    private static final Arch[] SLOTS = {Arch.X86_64, Arch.I386};

    private final NotifyDecider decider;
    private final NotifyFastPath.Table table =
            new NotifyFastPath.Table(new int[] {SLOTS[0].auditArch(), SLOTS[1].auditArch()}, NRS);
    private final ByteBuffer tableView = table.header();
    private final ByteBuffer countsView = table.counts();
    private final ByteBuffer touchedView = table.touched();
    private final Decision[] decisions = new Decision[ARCHES * NRS];
    private final long[] published = new long[ARCHES * NRS];
    private final int fixedCount;
    private long publishedFast;

    private FixedAnswers(NotifyDecider decider, ViewWatch watch) {
        this.decider = decider;
        ByteBuffer answersView = table.answers();
        int fixed = 0;
        for (int slot = 0; slot < ARCHES; slot++) {
            Arch arch = SLOTS[slot];
            for (int nr = 0; nr < NRS; nr++) {
                Optional<Decision> d = watch.watched(arch, nr) || NotifyDispatch.isExec(arch, nr)
                        ? Optional.empty()
                        : decider.decisionByNumber(arch, nr);
                int answer = d.map(FixedAnswers::answer).orElse(0);
                if (answer != 0) {
                    decisions[slot * NRS + nr] = d.get();
                    answersView.putInt(4 * (slot * NRS + nr), answer);
                    fixed++;
                }
            }
        }
        this.fixedCount = fixed;
    }

    /** The table for {@code decider}'s policy; empty when no call has a fixed answer. */
    static Optional<FixedAnswers> of(NotifyDecider decider, ViewWatch watch) {
        FixedAnswers t = new FixedAnswers(decider, watch);
        return t.fixedCount == 0 ? Optional.empty() : Optional.of(t);
    }

    /** The table, for the native loop. */
    NotifyFastPath.Table table() {
        return table;
    }

    /** How many (architecture, number) entries have a fixed answer. */
    int fixedCount() {
        return fixedCount;
    }

    /** The answer the table gives {@code nr} of {@code arch}, if any (for tests and diagnostics). */
    Optional<Decision> fixed(Arch arch, int nr) {
        for (int slot = 0; slot < ARCHES; slot++) {
            if (SLOTS[slot] == arch && nr >= 0 && nr < NRS) {
                return Optional.ofNullable(decisions[slot * NRS + nr]);
            }
        }
        return Optional.empty();
    }

    /**
     * Tells the decider about the calls answered natively since the last time; returns how many
     * that was. Costs one read when there were none.
     */
    long publish() {
        long fast = tableView.getLong(TABLE_FAST);
        if (fast == publishedFast) {
            return 0;
        }
        int n = tableView.getInt(TABLE_TOUCHED_LEN);
        for (int i = 0; i < n; i++) {
            int index = touchedView.getInt(4 * i);
            long count = countsView.getLong(8 * index);
            if (count != published[index]) {
                decider.decidedByNumber(SLOTS[index / NRS], index % NRS, decisions[index], count - published[index]);
                published[index] = count;
            }
        }
        long delta = fast - publishedFast;
        publishedFast = fast;
        return delta;
    }

    private static int answer(Decision d) {
        return switch (d.kind()) {
            case ALLOW -> CONTINUE;
            case ERRNO -> d.errno() > 0 && d.errno() <= 0xffff ? ERRNO | d.errno() : 0;
            case KILL, INTERRUPTED -> 0; // a kill is checked (ID_VALID) and done in Java
        };
    }
}
