package dev.syscage.policy.compile;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Random policies on the model, and random {@code seccomp_data} aimed at their edges: rule
 * constants and their neighbours, upper-half garbage, every arch, x32 and out-of-table numbers.
 * Seeded, so a failure is reproducible from the seed the test prints.
 */
public final class RandomPolicies {
    static final SourceText SRC = new SourceText("random.yaml", "");
    private static final long[] SPECIAL = {
        0,
        1,
        2,
        7,
        8,
        0x7f,
        0x80,
        0xff,
        0x100,
        0xffff,
        0x10000,
        0x7fffffffL,
        0x80000000L,
        0xfffffffeL,
        0xffffffffL,
        0x100000000L,
        0x1ffffffffL,
        0xffffffff00000000L,
        0x8000000000000000L,
        -1L,
        -2L,
        -100L,
    };

    private final Random rnd;

    public RandomPolicies(long seed) {
        this.rnd = new Random(seed);
    }

    /** A policy together with the constants its conditions use, so data can aim at them. */
    public record Generated(Policy policy, List<Long> constants, Map<Arch, List<Integer>> numbers) {}

    public Generated policy() {
        List<Arch> arches = new ArrayList<>();
        for (Arch a : Arch.values()) {
            if (rnd.nextInt(3) == 0) {
                arches.add(a);
            }
        }
        if (arches.isEmpty()) {
            arches.add(Arch.values()[rnd.nextInt(Arch.values().length)]);
        }
        Action dflt = action();
        Action unknown = rnd.nextBoolean() ? dflt : action();
        Action badArch = rnd.nextBoolean() ? Action.KILL : action();
        int ruleCount = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 60 : 12);
        List<Long> constants = new ArrayList<>();
        Map<Arch, List<Integer>> numbers = new java.util.EnumMap<>(Arch.class);
        // the rules are drawn once, over syscall names, then resolved per arch like the validator does
        List<String> pool = namePool(arches);
        List<List<String>> ruleNames = new ArrayList<>();
        List<Action> ruleActions = new ArrayList<>();
        List<Long> ruleSeeds = new ArrayList<>();
        for (int r = 0; r < ruleCount; r++) {
            List<String> names = new ArrayList<>();
            int n = 1 + rnd.nextInt(rnd.nextInt(5) == 0 ? 40 : 4);
            for (int i = 0; i < n; i++) {
                names.add(pool.get(rnd.nextInt(pool.size())));
            }
            ruleNames.add(names);
            ruleActions.add(action());
            ruleSeeds.add(rnd.nextInt(3) == 0 ? -1L : rnd.nextLong());
        }
        List<ArchPolicy> aps = new ArrayList<>();
        for (Arch arch : arches) {
            SyscallTable table = SyscallTable.of(arch);
            SortedMap<Integer, List<Clause>> byNr = new TreeMap<>();
            for (int r = 0; r < ruleCount; r++) {
                RuleRef ref = RuleRef.rule(r, SRC.pos(r + 1, 1));
                for (String name : ruleNames.get(r)) {
                    Syscall s = table.byName(name).orElse(null);
                    if (s == null) {
                        continue;
                    }
                    Cond when = ruleSeeds.get(r) == -1L
                            ? Cond.TRUE
                            : cond(new Random(ruleSeeds.get(r) ^ s.nr()), arch, 3, constants);
                    byNr.computeIfAbsent(s.nr(), k -> new ArrayList<>()).add(new Clause(when, ruleActions.get(r), ref));
                }
            }
            numbers.put(arch, new ArrayList<>(byNr.keySet()));
            aps.add(new ArchPolicy(
                    arch,
                    table,
                    dflt,
                    RuleRef.fallback(RuleRef.Kind.DEFAULT, null),
                    unknown,
                    RuleRef.fallback(RuleRef.Kind.UNKNOWN, null),
                    byNr));
        }
        Policy p = new Policy(
                "random", "", aps, badArch, RuleRef.fallback(RuleRef.Kind.BAD_ARCH, null), List.of(), Map.of());
        return new Generated(p, constants, numbers);
    }

    private List<String> namePool(List<Arch> arches) {
        List<String> pool = new ArrayList<>();
        for (Syscall s : SyscallTable.of(arches.get(0)).all()) {
            pool.add(s.name());
        }
        // a small hot set so rules collide on the same syscalls
        List<String> hot = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            hot.add(pool.get(rnd.nextInt(pool.size())));
        }
        for (int i = 0; i < 3; i++) {
            pool.addAll(hot);
        }
        return pool;
    }

    public Action action() {
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2 -> Action.ALLOW;
            case 3 -> Action.LOG;
            case 4, 5 -> Action.errno(rnd.nextInt(3) == 0 ? rnd.nextInt(Action.MAX_ERRNO + 1) : 1 + rnd.nextInt(40));
            case 6 -> Action.KILL;
            case 7 -> Action.KILL_THREAD;
            case 8 -> rnd.nextBoolean() ? Action.trap(rnd.nextInt(0x10000)) : Action.trace(rnd.nextInt(0x10000));
            default -> Action.NOTIFY;
        };
    }

    private Cond cond(Random r, Arch arch, int depth, List<Long> constants) {
        int pick = depth == 0 ? 0 : r.nextInt(6);
        switch (pick) {
            case 1:
                return new Cond.Not(cond(r, arch, depth - 1, constants));
            case 2:
            case 3: {
                List<Cond> terms = new ArrayList<>();
                int n = 2 + r.nextInt(2);
                for (int i = 0; i < n; i++) {
                    terms.add(cond(r, arch, depth - 1, constants));
                }
                return pick == 2 ? new Cond.And(terms) : new Cond.Or(terms);
            }
            default:
                return test(r, arch, constants);
        }
    }

    private Cond test(Random r, Arch arch, List<Long> constants) {
        int arg = r.nextInt(6);
        int[] widths = arch.registerBits() == 64 ? new int[] {16, 32, 64, 64} : new int[] {16, 32, 32};
        int width = widths[r.nextInt(widths.length)];
        Cond.Op op = Cond.Op.values()[r.nextInt(Cond.Op.values().length)];
        long mask = r.nextInt(3) == 0 ? value(r) : -1L;
        long value = op == Cond.Op.ANY_BITS ? 0 : value(r);
        if (op == Cond.Op.ANY_BITS && mask == -1L) {
            mask = value(r);
        }
        constants.add(value);
        constants.add(mask);
        return new Cond.Test(arg, width, mask, op, value);
    }

    private long value(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> SPECIAL[r.nextInt(SPECIAL.length)];
            case 1 -> r.nextInt(64);
            case 2 -> 1L << r.nextInt(64);
            default -> r.nextLong();
        };
    }

    /** seccomp_data aimed at the policy's edges. */
    public SeccompData data(Generated g) {
        Policy p = g.policy();
        int archValue;
        Arch arch;
        if (rnd.nextInt(12) == 0) {
            archValue = rnd.nextBoolean() ? 0x40000028 /* AUDIT_ARCH_ARM */ : rnd.nextInt();
            arch = null;
        } else {
            arch = p.arches().get(rnd.nextInt(p.arches().size())).arch();
            if (rnd.nextInt(8) == 0) {
                // an arch this machine runs but the policy may not list
                arch = Arch.values()[rnd.nextInt(Arch.values().length)];
            }
            archValue = arch.auditArch();
        }
        int nr = number(g, arch);
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = argument(g);
        }
        return new SeccompData(nr, archValue, rnd.nextLong(), args);
    }

    private int number(Generated g, Arch arch) {
        List<Integer> used = arch == null ? List.of() : g.numbers().getOrDefault(arch, List.of());
        int max = SyscallTable.of(arch == null ? Arch.X86_64 : arch).maxNumber();
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> used.isEmpty() ? rnd.nextInt(max + 1) : used.get(rnd.nextInt(used.size()));
            case 5, 6 -> rnd.nextInt(max + 1);
            case 7 -> max + 1 + rnd.nextInt(3);
            case 8 -> Arch.X32_SYSCALL_BIT | rnd.nextInt(max + 1);
            default ->
                new int[] {-1, -2, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, rnd.nextInt()}[rnd.nextInt(7)];
        };
    }

    private long argument(Generated g) {
        List<Long> cs = g.constants();
        long base = cs.isEmpty() || rnd.nextInt(4) == 0 ? value(rnd) : cs.get(rnd.nextInt(cs.size()));
        return switch (rnd.nextInt(6)) {
            case 0 -> base + 1;
            case 1 -> base - 1;
            case 2 -> (base & 0xFFFFFFFFL) | ((long) rnd.nextInt() << 32); // upper-half garbage
            case 3 -> base & 0xFFFFFFFFL;
            case 4 -> base ^ (1L << rnd.nextInt(64));
            default -> base;
        };
    }

    static EnumSet<Arch> all() {
        return EnumSet.allOf(Arch.class);
    }
}
