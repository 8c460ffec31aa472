package dev.syscage.policy.oci;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The calls the OCI tests decide: every syscall number of an architecture and a few above,
 * -1 and x32 numbers, each with argument sets built from values around the constants the test
 * profiles compare with (in every argument, in one argument, and in pairs).
 */
final class CallCorpus {
    static final long CLONE_NEWUSER = 0x10000000L;
    static final long SIGCHLD = 17;
    static final long[] VALUES = {
        0,
        1,
        2,
        4,
        8,
        9,
        10,
        16,
        19,
        38,
        39,
        40,
        41,
        63,
        1000,
        1024,
        1025,
        0x5401,
        0x541b,
        0x20000,
        0x20008,
        0x7fffffff,
        0x80000000L,
        0xffffffffL,
        0x7E020000L,
        0x100000000L | 8,
        -1L,
        CLONE_NEWUSER | SIGCHLD,
        0x100000000L | 0x20000,
        0xffffffff00000004L
    };
    static final long[] PAIR_VALUES = {0, 1, 2, 3, 9, 16, 0x1000, -1L};

    private CallCorpus() {}

    static List<Integer> numbers(Arch arch) {
        List<Integer> nrs = new ArrayList<>();
        int max = SyscallTable.of(arch).maxNumber();
        for (int nr = -1; nr <= max + 5; nr++) {
            nrs.add(nr);
        }
        nrs.addAll(List.of(1000, 0x7fffffff));
        if (arch == Arch.X86_64) {
            nrs.addAll(List.of(Arch.X32_SYSCALL_BIT, Arch.X32_SYSCALL_BIT + 1, Arch.X32_SYSCALL_BIT + 512));
        }
        return nrs;
    }

    /** Each value in every argument, each value in one argument, and pairs in arguments 0/1 and 0/2. */
    static List<long[]> argumentSets() {
        List<long[]> sets = new ArrayList<>();
        for (long v : VALUES) {
            sets.add(new long[] {v, v, v, v, v, v});
            for (int i = 0; i < 6; i++) {
                long[] a = new long[6];
                a[i] = v;
                sets.add(a);
            }
        }
        for (long v : PAIR_VALUES) {
            for (long w : PAIR_VALUES) {
                sets.add(new long[] {v, w, 0, 0, 0, 0});
                sets.add(new long[] {v, 0, w, 0, 0, 0});
            }
        }
        return sets;
    }

    /**
     * Where syscage's {@code unknown} action is meant to differ from what runc + libseccomp do:
     * -1 on x86_64 (libseccomp's x86_64 filter takes it for an x32 number), and holes in the
     * table that runc's ENOSYS stub does not cover (runc gives them the default action). Numbers
     * above the table, and -1 elsewhere, get ENOSYS or the default on both sides.
     */
    static boolean unknownDiffers(Arch arch, int nr, boolean stubbed) {
        if (nr == -1) {
            return arch == Arch.X86_64;
        }
        SyscallTable t = SyscallTable.of(arch);
        return nr >= 0 && nr <= t.maxNumber() && !t.isKnown(nr) && !stubbed;
    }

    /** The call with each argument cut to the bits the kernel uses and zero-extended. */
    static SeccompData canonical(SeccompData d, Optional<Syscall> s) {
        if (s.isEmpty()) {
            return d;
        }
        long[] args = d.args();
        for (int i = 0; i < 6; i++) {
            Param p = s.get().param("arg" + i).orElseThrow();
            args[i] &= Cond.Test.widthMask(p.width());
        }
        return new SeccompData(d.nr(), d.arch(), d.instructionPointer(), args);
    }

    /**
     * Compares two deciders on every call of the corpus on {@code arch}; the message names the
     * syscall and the arguments of the first difference. Returns how many calls were compared.
     */
    static int assertSame(
            String what,
            Arch arch,
            Function<SeccompData, Action> expected,
            Function<SeccompData, Action> actual,
            String context) {
        SyscallTable table = SyscallTable.of(arch);
        int compared = 0;
        for (int nr : numbers(arch)) {
            for (long[] args : argumentSets()) {
                SeccompData d = SeccompData.of(nr, arch.auditArch(), args);
                Action e = expected.apply(d);
                Action a = actual.apply(d);
                if (!e.equals(a)) {
                    throw new AssertionError(what + " on " + arch + ": "
                            + table.byNumber(nr).map(Syscall::name).orElse("#" + nr) + " " + d + ": expected " + e
                            + ", got " + a + "\n" + context);
                }
                compared++;
            }
        }
        return compared;
    }

    static Policy load(String name, String yaml) {
        return PolicyLoader.loadString(name, yaml, LoadOptions.defaults());
    }

    static String resource(String path) {
        try (InputStream in = CallCorpus.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
