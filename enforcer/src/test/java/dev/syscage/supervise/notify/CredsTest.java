package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a race-free open compares: the rights in /proc/TID/status, and nothing else of it. */
class CredsTest {
    private static String status(String uid, String gid, String groups, String capEff, String umask) {
        return "Name:\tcat\nUmask:\t" + umask + "\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\nPid:\t4243\n"
                + "PPid:\t1\nTracerPid:\t0\nUid:\t" + uid + "\nGid:\t" + gid + "\nFDSize:\t64\nGroups:\t" + groups
                + "\nNStgid:\t4242\nVmRSS:\t   1024 kB\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
                + "CapEff:\t" + capEff + "\nCapBnd:\t000001ffffffffff\nSeccomp:\t2\n";
    }

    @Test
    void readsTheIdsGroupsCapabilitiesUmaskAndThreadGroup() {
        Creds c = Creds.parse(
                4243, status("1000\t1001\t1002\t1003", "100\t101\t102\t103", "4 24 27 ", "000001ffffffffff", "0027"));
        assertTrue(c.known());
        assertEquals(4242, c.tgid());
        assertEquals("1001", c.euid());
        assertEquals("1003", c.fsuid());
        assertEquals("101", c.egid());
        assertEquals("103", c.fsgid());
        assertEquals("4 24 27", c.groups());
        assertEquals("000001ffffffffff", c.capEff());
        assertEquals(027, c.umask());
    }

    @Test
    void anyDifferenceInRightsCounts() {
        Creds base = Creds.parse(1, status("0\t0\t0\t0", "0\t0\t0\t0", "", "000001ffffffffff", "0022"));
        assertTrue(
                base.sameRightsAs(Creds.parse(2, status("0\t0\t0\t0", "0\t0\t0\t0", "", "000001ffffffffff", "0077"))),
                "the umask is no right");
        assertFalse(
                base.sameRightsAs(
                        Creds.parse(2, status("0\t0\t0\t65534", "0\t0\t0\t0", "", "000001ffffffffff", "0022"))),
                "fsuid");
        assertFalse(
                base.sameRightsAs(Creds.parse(2, status("0\t0\t0\t0", "0\t0\t0\t0", "10", "000001ffffffffff", "0022"))),
                "groups");
        assertFalse(
                base.sameRightsAs(Creds.parse(2, status("0\t0\t0\t0", "0\t0\t0\t0", "", "0000000000000000", "0022"))),
                "capabilities");
        assertFalse(base.sameRightsAs(Creds.unknown(3)), "a thread that is gone");
    }

    @Test
    void theJvmsOwnStatusParses() {
        Creds self = Creds.self();
        assertTrue(self.known());
        assertEquals(ProcessHandle.current().pid(), self.tgid());
        assertTrue(self.sameRightsAs(self));
    }
}
