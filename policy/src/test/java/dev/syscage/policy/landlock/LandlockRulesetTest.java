package dev.syscage.policy.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.Negotiated;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.LandlockRuleset.PortRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Negotiation down to each ABI version, and the text form the launcher reads. */
class LandlockRulesetTest {
    private static final long READ_EXEC = FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.EXECUTE;
    private static final LandlockRuleset FULL = new LandlockRuleset(
            FsAccess.ALL,
            NetAccess.ALL,
            Scope.ALL,
            List.of(
                    new PathRule("/usr", READ_EXEC, false, null),
                    new PathRule("/tmp", FsAccess.ALL, true, null),
                    new PathRule("/dev/tty", FsAccess.IOCTL_DEV, false, null)),
            List.of(new PortRule(NetAccess.CONNECT_TCP, 443, null)),
            Compat.REQUIRED);

    private static final List<String> NET_AND_SCOPE =
            List.of("net.bind_tcp", "net.connect_tcp", "scope.abstract_unix_socket", "scope.signal");

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    @Test
    void eachVersionKeepsWhatItCanEnforceAndNamesTheRest() {
        long v1 = (1L << 13) - 1;
        assertNegotiated(1, v1, 0, 0, concat(List.of("fs.refer", "fs.truncate", "fs.ioctl_dev"), NET_AND_SCOPE));
        assertNegotiated(2, v1 | FsAccess.REFER, 0, 0, concat(List.of("fs.truncate", "fs.ioctl_dev"), NET_AND_SCOPE));
        long v3 = v1 | FsAccess.REFER | FsAccess.TRUNCATE;
        assertNegotiated(3, v3, 0, 0, concat(List.of("fs.ioctl_dev"), NET_AND_SCOPE));
        assertNegotiated(
                4, v3, NetAccess.ALL, 0, List.of("fs.ioctl_dev", "scope.abstract_unix_socket", "scope.signal"));
        assertNegotiated(5, FsAccess.ALL, NetAccess.ALL, 0, List.of("scope.abstract_unix_socket", "scope.signal"));
        assertNegotiated(6, FsAccess.ALL, NetAccess.ALL, Scope.ALL, List.of());
        assertNegotiated(7, FsAccess.ALL, NetAccess.ALL, Scope.ALL, List.of());
        assertEquals(FULL, FULL.negotiate(new Abi(7)).ruleset(), "nothing changes where everything is enforced");
        assertEquals(FULL, FULL.negotiate(new Abi(99)).ruleset(), "a newer kernel is the newest known");
    }

    private static void assertNegotiated(int abi, long fs, long net, long scope, List<String> dropped) {
        Negotiated n = FULL.negotiate(new Abi(abi));
        LandlockRuleset r = n.ruleset();
        assertEquals(dropped, n.dropped(), "ABI " + abi);
        assertEquals(fs, r.handledFs(), "ABI " + abi);
        assertEquals(net, r.handledNet(), "ABI " + abi);
        assertEquals(scope, r.scoped(), "ABI " + abi);
        List<PathRule> paths = new java.util.ArrayList<>(
                List.of(new PathRule("/usr", READ_EXEC, false, null), new PathRule("/tmp", fs, true, null)));
        if (abi >= 5) {
            paths.add(new PathRule("/dev/tty", FsAccess.IOCTL_DEV, false, null)); // a rule left with no right goes
        }
        assertEquals(paths, r.paths(), "ABI " + abi);
        assertEquals(abi >= 4 ? FULL.ports() : List.of(), r.ports(), "ABI " + abi);
        assertEquals(Compat.REQUIRED, r.compat());
    }

    @Test
    void withoutLandlockEverythingIsDropped() {
        Negotiated n = FULL.negotiate(Abi.NONE);
        assertEquals(true, n.ruleset().isEmpty());
        assertEquals(16 + 4, n.dropped().size());
        assertEquals(List.of(), NONE_NEGOTIATED().dropped());
    }

    private static Negotiated NONE_NEGOTIATED() {
        return LandlockRuleset.NONE.negotiate(Abi.NONE);
    }

    @Test
    void theTextFormRoundTrips() {
        String text = FULL.serialize();
        assertEquals("""
                syscage-landlock 1
                compat required
                fs 0xffff
                net 0x3
                scope 0x3
                path 0xd required /usr
                path 0xffff optional /tmp
                path 0x8000 required /dev/tty
                port 0x2 443
                end
                """, text);
        assertEquals(FULL, LandlockRuleset.parse(text));
        LandlockRuleset odd = new LandlockRuleset(
                FsAccess.READ_FILE,
                0,
                0,
                List.of(new PathRule("/srv/a b/%x/ü", FsAccess.READ_FILE, false, null)),
                List.of(),
                Compat.BEST_EFFORT);
        assertEquals(
                "path 0x4 required /srv/a%20b/%25x/%c3%bc",
                odd.serialize().lines().toList().get(5));
        assertEquals(odd, LandlockRuleset.parse(odd.serialize()));
        assertEquals(LandlockRuleset.NONE, LandlockRuleset.parse(LandlockRuleset.NONE.serialize()));
        assertSame(Compat.BEST_EFFORT, LandlockRuleset.parse(odd.serialize()).compat());
    }
}
