package dev.syscage.supervise.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.SyscallTable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The data files: every set and every argkinds.tsv line is valid on every architecture. */
class NameSetsTest {

    @ParameterizedTest
    @EnumSource(Arch.class)
    void everySetAndShapeBuildsOnEveryArch(Arch arch) {
        // the constructor builds every set and every syscall's shape; a mistake throws file:line
        new SyscallDecoder(arch);
    }

    @Test
    void everyArgkindsLineAppliesOnSomeArch() {
        List<String> misses = new ArrayList<>();
        for (ArgKindTable.Override o : ArgKindTable.get().lines()) {
            boolean applies = false;
            for (Arch arch : Arch.values()) {
                applies |= SyscallTable.of(arch)
                        .byName(o.syscall())
                        .map(s -> s.params().stream().map(Param::name).anyMatch(o.arg()::equals))
                        .orElse(false);
            }
            if (!applies) {
                misses.add(o.where() + ": " + o.syscall() + " " + o.arg());
            }
        }
        assertEquals(List.of(), misses);
    }

    @Test
    void anAliasInASetIsReportedWithBothNames() {
        NameSets sets = NameSets.load(Arch.X86_64);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> sets.resolve("O_NONBLOCK O_NDELAY", NameSet.Type.FLAGS, "argkinds.tsv:7"));
        assertEquals(
                "argkinds.tsv:7: set 'O_NONBLOCK O_NDELAY' on x86_64: O_NONBLOCK and O_NDELAY are both 0x800;"
                        + " keep one (exclude the other with !NAME)",
                e.getMessage());
    }

    @Test
    void aMisspeltConstantIsReported() {
        NameSets sets = NameSets.load(Arch.X86_64);
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> sets.resolve("O_CLOSEXEC", NameSet.Type.FLAGS, "argkinds.tsv:9"));
        assertEquals("argkinds.tsv:9: set 'O_CLOSEXEC': unknown constant O_CLOSEXEC on x86_64", e.getMessage());
        e = assertThrows(
                IllegalStateException.class, () -> sets.resolve("XATR_*", NameSet.Type.FLAGS, "argkinds.tsv:9"));
        assertEquals("argkinds.tsv:9: set 'XATR_*': no constant matches XATR_* on x86_64", e.getMessage());
    }

    @Test
    void aFieldNameOutsideItsMaskIsReported() {
        NameSets sets = NameSets.load(Arch.X86_64);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> sets.resolve("O_ACCMODE{O_RDONLY O_CREAT}", NameSet.Type.FLAGS, "namesets.tsv:3"));
        assertEquals(
                "namesets.tsv:3: set 'O_ACCMODE{O_RDONLY O_CREAT}': O_CREAT (0x40) is outside the field mask"
                        + " O_ACCMODE",
                e.getMessage());
    }

    @Test
    void aliasesAreDecidedOnce() {
        NameSets sets = NameSets.load(Arch.X86_64);
        NameSet signals = sets.all().get("signals");
        assertEquals("SIGABRT", signals.format(6));
        assertEquals("SIGCHLD", signals.format(17));
        assertEquals("SIGIO", signals.format(29));
        assertEquals("SIGSYS", signals.format(31));
        assertEquals("AF_UNIX", sets.all().get("address_family").format(1));
        assertEquals("AF_NETLINK", sets.all().get("address_family").format(16));
        assertEquals("O_RDWR|O_NONBLOCK|O_SYNC", sets.all().get("open_flags").format(0x101802));
        assertEquals(
                "MAP_SHARED_VALIDATE|MAP_SYNC", sets.all().get("mmap_flags").format(0x80003));
        assertEquals(
                "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME",
                sets.all().get("futex_op").format(0x189));
        assertEquals("F_OK", sets.all().get("access").format(0));
        assertEquals("0", sets.all().get("mmap_flags").format(0));
    }

    @Test
    void everyIoctlSetMemberIsARequest() {
        for (NameSet.Entry e : NameSets.load(Arch.X86_64).all().get("ioctl").entries()) {
            assertTrue(e.value() >= 0x5401, e.name() + " " + Long.toHexString(e.value()));
        }
    }
}
