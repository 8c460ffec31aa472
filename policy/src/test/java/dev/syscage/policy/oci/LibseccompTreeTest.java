package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.model.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LibseccompTree} against the real libseccomp: random rule sets for one syscall (every
 * operator, several actions, values with the high word set), added in order to both; libseccomp's
 * generated BPF, run by syscage's interpreter, must answer every argument set as the port does,
 * and the two must refuse (EEXIST) the same rule. Programs in which libseccomp's code generator
 * compares a stale accumulator ({@link AccumulatorFlow}) are counted and left out: there the BPF
 * does not do what libseccomp's own tree says.
 */
class LibseccompTreeTest {
    static final OciProfile.Op[] OPS = OciProfile.Op.values();
    static final long[] VALUES = {
        0,
        1,
        2,
        9,
        16,
        40,
        0xffffffffL,
        0x100000000L,
        0x100000009L,
        0xffffffff00000000L,
        0x8000000000000000L,
        -1L,
        0x7fffffffL
    };
    static final Action[] ACTIONS = {Action.ALLOW, Action.errno(1), Action.errno(13), Action.KILL, Action.LOG};

    @Test
    void decidesAsLibseccompOnRandomRuleSets() {
        Random rnd = new Random(20261207);
        int compared = 0;
        int refused = 0;
        int miscompiled = 0;
        List<String> hung = new ArrayList<>();
        for (int round = 0; round < 240; round++) {
            Arch arch = List.of(Arch.X86_64, Arch.I386, Arch.AARCH64).get(round % 3);
            List<Action> actions = new ArrayList<>();
            List<List<OciProfile.Arg>> rules = new ArrayList<>();
            int n = 1 + rnd.nextInt(5);
            int argsUsed = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                actions.add(ACTIONS[rnd.nextInt(ACTIONS.length)]);
                rules.add(randomArgs(rnd, argsUsed));
            }
            LibseccompTree tree = new LibseccompTree(arch.registerBits());
            StringBuilder in = new StringBuilder("default errno 38\narch " + refName(arch) + "\n");
            int failedAt = -1;
            for (int i = 0; i < n; i++) {
                in.append(rule("mmap", actions.get(i), rules.get(i)));
                if (failedAt < 0) {
                    try {
                        tree.add(actions.get(i), rules.get(i));
                    } catch (LibseccompTree.ExistsException e) {
                        failedAt = i;
                    }
                }
            }
            LibseccompRef.Built ref = LibseccompRef.build(in.toString());
            String what = "round " + round + " on " + arch + ":\n" + in;
            if (ref.hung()) {
                hung.add(what);
                continue;
            }
            if (failedAt >= 0) {
                assertEquals("err -17", ref.answers().get(failedAt), what);
                refused++;
                continue;
            }
            assertEquals(
                    List.of(),
                    ref.answers().stream().filter(a -> !a.equals("ok")).toList(),
                    what);
            if (!AccumulatorFlow.ambiguousJumps(ref.program()).isEmpty()) {
                miscompiled++;
                continue;
            }
            int nr = SyscallTable.of(arch).byName("mmap").orElseThrow().nr();
            for (int k = 0; k < 150; k++) {
                long[] args = new long[6];
                for (int a = 0; a < 6; a++) {
                    args[a] = near(rnd, VALUES[rnd.nextInt(VALUES.length)]);
                }
                Action want = Interpreter.run(ref.program(), SeccompData.of(nr, arch.auditArch(), args))
                        .action();
                Action got = tree.decide(args);
                assertEquals(
                        want, got == null ? Action.errno(38) : got, what + "args " + java.util.Arrays.toString(args));
                compared++;
            }
        }
        System.out.printf(
                "LibseccompTreeTest: %d calls compared; of 240 rule sets libseccomp refused %d, miscompiled %d,"
                        + " hung on %d%n",
                compared, refused, miscompiled, hung.size());
        hung.forEach(h -> System.out.println("libseccomp hung on " + h));
        assertTrue(compared > 20_000, "compared " + compared);
        assertTrue(refused > 0 && refused < 120, "refused " + refused + " of 240 rule sets");
        assertTrue(hung.size() < 10, "libseccomp hung on " + hung);
        assertTrue(miscompiled < 60, "libseccomp miscompiled " + miscompiled + " of 240 rule sets");
    }

    static List<OciProfile.Arg> randomArgs(Random rnd, int argsUsed) {
        List<OciProfile.Arg> out = new ArrayList<>();
        for (int a = 0; a < argsUsed; a++) {
            if (rnd.nextInt(3) == 0) {
                continue;
            }
            OciProfile.Op op = OPS[rnd.nextInt(OPS.length)];
            out.add(new OciProfile.Arg(a, VALUES[rnd.nextInt(VALUES.length)], VALUES[rnd.nextInt(VALUES.length)], op));
        }
        return out;
    }

    /** A value or one of its neighbours, so comparisons are tried on both sides of their datum. */
    static long near(Random rnd, long v) {
        return v + rnd.nextInt(3) - 1;
    }

    static String refName(Arch a) {
        return switch (a) {
            case X86_64 -> "x86_64";
            case I386 -> "x86";
            case AARCH64 -> "aarch64";
        };
    }

    static String rule(String name, Action a, List<OciProfile.Arg> args) {
        StringBuilder sb = new StringBuilder("rule " + name + " " + refAction(a) + " " + args.size());
        for (OciProfile.Arg x : args) {
            sb.append(' ')
                    .append(x.index())
                    .append(' ')
                    .append(x.op().name().toLowerCase())
                    .append(' ')
                    .append(Long.toUnsignedString(x.value()))
                    .append(' ')
                    .append(Long.toUnsignedString(x.valueTwo()));
        }
        return sb.append('\n').toString();
    }

    static String refAction(Action a) {
        return switch (a.kind()) {
            case ALLOW -> "allow 0";
            case ERRNO -> "errno " + a.value();
            case KILL_THREAD -> "kill_thread 0";
            case KILL_PROCESS -> "kill_process 0";
            case TRAP -> "trap 0";
            case TRACE -> "trace " + a.value();
            case LOG -> "log 0";
            default -> throw new IllegalArgumentException(a.toString());
        };
    }
}
