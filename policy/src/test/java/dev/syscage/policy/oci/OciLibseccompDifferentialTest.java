package dev.syscage.policy.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * syscage's import + compile against libseccomp built the runc way, on random OCI profiles: every
 * operator, two comparisons on one argument (runc's one rule per comparison), values with the high
 * word set, overlapping entries with different actions (libseccomp's rule tree), on x86_64, i386
 * and aarch64. libseccomp's BPF (from {@link LibseccompRef}) and the imported policy must decide
 * every call alike. The differences the test names and allows:
 * <ul>
 *   <li><b>argument widths</b>: syscage compares the bits of an argument the kernel uses, libseccomp
 *       all 64; both are given arguments zero-extended from the kernel's width (what a clean
 *       caller passes). {@code OciImportEquivalenceTest.garbageInTheUpperHalf} shows the other side;
 *   <li><b>libseccomp's code generator</b>: programs where it compares a stale accumulator
 *       ({@link AccumulatorFlow}) do not do what its rule tree says; counted and left out;
 *   <li>profiles on which libseccomp loops forever (runc never starts): counted and left out.
 * </ul>
 * Profiles libseccomp refuses (EEXIST: runc does not start the container) must be refused by the
 * import too. Runtime is bounded: 150 profiles, about a minute on a loaded machine.
 */
class OciLibseccompDifferentialTest {
    private static final long[] VALUES = {
        0,
        1,
        2,
        3,
        9,
        16,
        40,
        0x7fff,
        0xffff,
        0x10000,
        0x7fffffffL,
        0xffffffffL,
        0x100000000L,
        0x100000010L,
        0xffffffff00000000L,
        0x8000000000000000L,
        -1L
    };
    private static final String[] OPS = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"
    };
    private static final String[] ACTIONS = {
        "SCMP_ACT_ALLOW\"",
        "SCMP_ACT_ERRNO\", \"errnoRet\": 13",
        "SCMP_ACT_ERRNO\", \"errnoRet\": 1",
        "SCMP_ACT_KILL_PROCESS\"",
        "SCMP_ACT_LOG\""
    };
    private static final String[] REF_ACTIONS = {"allow 0", "errno 13", "errno 1", "kill_process 0", "log 0"};
    /** 64-bit (mmap length, lseek offset), 32-bit (fcntl cmd, personality) and 16-bit (fchmod mode) arguments. */
    private static final List<String> CALLS = List.of("mmap", "lseek", "fcntl", "personality", "fchmod");

    @Test
    void importDecidesAsLibseccompBuiltTheRuncWay() {
        Random rnd = new Random(15);
        int profiles = 0;
        int refusedBoth = 0;
        int miscompiled = 0;
        int hung = 0;
        int compared = 0;
        int trees = 0;
        for (int round = 0; round < 150; round++) {
            Arch arch = List.of(Arch.X86_64, Arch.I386, Arch.AARCH64).get(round % 3);
            StringBuilder json = new StringBuilder(
                    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38," + " \"syscalls\": [\n");
            StringBuilder ref = new StringBuilder("default errno 38\narch " + LibseccompTreeTest.refName(arch) + "\n");
            int entries = 2 + rnd.nextInt(5);
            for (int e = 0; e < entries; e++) {
                String call = CALLS.get(rnd.nextInt(CALLS.size()));
                int act = rnd.nextInt(ACTIONS.length);
                List<long[]> args = new ArrayList<>(); // {index, op, value, valueTwo}
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int index = rnd.nextInt(3);
                    args.add(new long[] {
                        index,
                        rnd.nextInt(OPS.length),
                        VALUES[rnd.nextInt(VALUES.length)],
                        VALUES[rnd.nextInt(VALUES.length)]
                    });
                }
                json.append(e == 0 ? "" : ",\n")
                        .append("{\"names\": [\"")
                        .append(call)
                        .append("\"], \"action\": \"")
                        .append(ACTIONS[act])
                        .append(", \"args\": [");
                for (int i = 0; i < args.size(); i++) {
                    long[] a = args.get(i);
                    json.append(i == 0 ? "" : ", ")
                            .append("{\"index\": ")
                            .append(a[0])
                            .append(", \"op\": \"")
                            .append(OPS[(int) a[1]])
                            .append("\", \"value\": ")
                            .append(Long.toUnsignedString(a[2]))
                            .append(", \"valueTwo\": ")
                            .append(Long.toUnsignedString(a[3]))
                            .append('}');
                }
                json.append("]}");
                runcRules(ref, call, REF_ACTIONS[act], args);
            }
            json.append("]}\n");
            String what = "round " + round + " on " + arch + ":\n" + json + "libseccomp input:\n" + ref;
            LibseccompRef.Built built = LibseccompRef.build(ref.toString());
            if (built.hung()) {
                hung++;
                continue;
            }
            boolean libseccompRefuses = built.answers().stream().anyMatch(a -> !a.equals("ok"));
            Policy policy;
            try {
                ImportOptions o = new ImportOptions(null, List.of(arch), "6.18", false);
                String yaml = OciImporter.importString("random.json", json.toString(), o)
                        .yaml();
                trees += yaml.contains("as libseccomp's rule tree decides it") ? 1 : 0;
                policy = CallCorpus.load("imported.yaml", yaml);
            } catch (PolicyException e) {
                assertTrue(
                        libseccompRefuses && e.render().contains("EEXIST"), what + "\nimport refused:\n" + e.render());
                refusedBoth++;
                continue;
            }
            assertTrue(!libseccompRefuses, what + "\nlibseccomp refused: " + built.answers());
            if (!AccumulatorFlow.ambiguousJumps(built.program()).isEmpty()) {
                miscompiled++;
                continue;
            }
            profiles++;
            compared += compare(arch, built.program(), policy, rnd, what);
        }
        System.out.printf(
                "OciLibseccompDifferentialTest: %d profiles compared on %d calls (%d imported through the rule"
                        + " tree); %d refused by both, %d miscompiled by libseccomp, %d hung libseccomp%n",
                profiles, compared, trees, refusedBoth, miscompiled, hung);
        assertTrue(trees >= 20, trees + " profiles needed libseccomp's rule tree");
        assertTrue(profiles >= 90, profiles + " profiles compared");
        assertTrue(compared > 50_000, compared + " calls compared");
    }

    /** runc's libcontainer/seccomp: one rule, or one rule per comparison when two test the same argument. */
    private static void runcRules(StringBuilder ref, String call, String action, List<long[]> args) {
        if (action.equals("errno 38")) {
            return; // the default action: runc skips the entry
        }
        boolean shared = args.stream().map(a -> a[0]).distinct().count() < args.size();
        List<List<long[]>> rules = shared ? args.stream().map(List::of).toList() : List.of(args);
        for (List<long[]> r : rules) {
            ref.append("rule ")
                    .append(call)
                    .append(' ')
                    .append(action)
                    .append(' ')
                    .append(r.size());
            for (long[] a : r) {
                ref.append(' ')
                        .append(a[0])
                        .append(' ')
                        .append(OPS[(int) a[1]].substring(9).toLowerCase())
                        .append(' ')
                        .append(Long.toUnsignedString(a[2]))
                        .append(' ')
                        .append(Long.toUnsignedString(a[3]));
            }
            ref.append('\n');
        }
    }

    private static int compare(Arch arch, Program libseccomp, Policy policy, Random rnd, String what) {
        int n = 0;
        for (String call : CALLS) {
            Syscall s = SyscallTable.of(arch).byName(call).orElseThrow();
            for (int k = 0; k < 120; k++) {
                long[] args = new long[6];
                for (int i = 0; i < 6; i++) {
                    long v = VALUES[rnd.nextInt(VALUES.length)] + rnd.nextInt(3) - 1;
                    int w = s.param("arg" + i).map(Param::width).orElse(64);
                    args[i] = v
                            & Cond.Test.widthMask(
                                    Math.min(w, arch.registerBits())); // zero-extended: the named difference
                }
                SeccompData d = SeccompData.of(s.nr(), arch.auditArch(), args);
                Action want = Interpreter.run(libseccomp, d).action();
                Action got = ReferenceEvaluator.decide(policy, d).action();
                assertEquals(want, got, what + "\n" + call + Arrays.toString(args));
                n++;
            }
        }
        return n;
    }

    @Test
    void namesOnlyTheSyscallsItCompares() {
        // the calls used above exist on every architecture tested, with the widths the class comment names
        for (Arch a : Set.of(Arch.X86_64, Arch.I386, Arch.AARCH64)) {
            for (String c : CALLS) {
                assertTrue(SyscallTable.of(a).byName(c).isPresent(), c + " on " + a);
            }
        }
        assertEquals(
                16,
                SyscallTable.of(Arch.X86_64)
                        .byName("fchmod")
                        .orElseThrow()
                        .param("arg1")
                        .orElseThrow()
                        .width());
    }
}
