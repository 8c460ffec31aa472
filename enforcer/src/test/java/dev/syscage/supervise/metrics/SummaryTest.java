package dev.syscage.supervise.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.supervise.Decision.Kind;
import org.junit.jupiter.api.Test;

/** The --summary table, exactly. */
class SummaryTest {

    @Test
    void rowsAreSortedByCallsThenNameWithATotal() {
        Summary s = new Summary();
        for (int i = 0; i < 3; i++) {
            s.add("openat", Kind.ALLOW, 10_000);
        }
        s.add("openat", Kind.ERRNO, 20_500);
        s.add("execve", Kind.KILL, 7_250);
        s.add("connect", Kind.ERRNO, 1_000);
        s.add("connect", Kind.ALLOW, 2_000);
        s.add("bind", Kind.ALLOW, 333);
        s.add("bind", Kind.ALLOW, 334);
        s.add("bind", Kind.INTERRUPTED, 333);
        assertEquals("""
                    calls    errors     kills      intr  total usecs  usecs/call syscall
                --------- --------- --------- --------- ------------ ----------- ----------------
                        4         1         0         0       50.500      12.625 openat
                        3         0         0         1        1.000       0.333 bind
                        2         1         0         0        3.000       1.500 connect
                        1         0         1         0        7.250       7.250 execve
                --------- --------- --------- --------- ------------ ----------- ----------------
                       10         2         1         1       61.750       6.175 total
                """, s.render());
    }

    @Test
    void anEmptySummaryHasOnlyTheTotal() {
        assertEquals("""
                    calls    errors     kills      intr  total usecs  usecs/call syscall
                --------- --------- --------- --------- ------------ ----------- ----------------
                --------- --------- --------- --------- ------------ ----------- ----------------
                        0         0         0         0        0.000       0.000 total
                """, new Summary().render());
    }
}
