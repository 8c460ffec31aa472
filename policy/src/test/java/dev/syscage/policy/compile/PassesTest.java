package dev.syscage.policy.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.Disassembler;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Clause;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The optimizer's passes one by one, on every shipped profile ({@code profiles/*.yaml}) for
 * x86_64 and i386: each pass left out alone (and all of them) gives a program the interpreter
 * decides exactly like the fully optimized one, over every syscall number (and -1, numbers past
 * the table, x32 numbers, a foreign arch) and argument values around each constant the profile
 * compares with; and the statistics add up.
 */
class PassesTest {
    private static final Path PROFILES = Path.of("../profiles");
    private static final long[] COMMON = {0, 1, 2, 0x7fffffff, 0x80000000L, 0xffffffffL, 0x100000000L, -1L};
    private static final List<String> STEPS = List.of(
            "lower",
            "search-tree",
            "coalesce-ranges",
            "weighted-tree",
            "shared-tails",
            "redundant-loads",
            "layout",
            "limits",
            "verify");

    @Test
    void eachPassLeftOutDecidesLikeAllPasses() throws IOException {
        long cases = 0;
        for (Policy policy : shippedPolicies()) {
            Program full =
                    PolicyCompiler.compile(policy, CompileOptions.defaults()).program();
            List<CompileOptions> variants = new ArrayList<>();
            for (Pass p : Pass.values()) {
                variants.add(CompileOptions.defaults().without(p));
            }
            variants.add(CompileOptions.unoptimized());
            for (CompileOptions o : variants) {
                Program fewer = PolicyCompiler.compile(policy, o).program();
                assertTrue(fewer.length() >= full.length(), label(policy) + " without " + off(o) + " is shorter");
                cases += sameDecisions(policy, full, fewer, off(o));
            }
        }
        assertTrue(cases > 300_000, "only " + cases + " calls compared");
    }

    @Test
    void statisticsAddUp() throws IOException {
        for (Policy policy : shippedPolicies()) {
            int unoptimized = PolicyCompiler.compile(policy, CompileOptions.unoptimized())
                    .program()
                    .length();
            for (CompileOptions o : List.of(
                    CompileOptions.defaults(),
                    CompileOptions.unoptimized(),
                    CompileOptions.defaults().without(Pass.SHARED_TAILS))) {
                CompiledFilter f = PolicyCompiler.compile(policy, o);
                CompileStats s = f.stats();
                String what = label(policy) + " without " + off(o);
                assertEquals(
                        STEPS, s.steps().stream().map(CompileStats.Step::name).toList(), what);
                assertEquals(unoptimized, s.passes().get(0).before(), what + ": first pass's before");
                assertEquals(
                        f.program().length(),
                        s.passes().get(s.passes().size() - 1).after(),
                        what + ": last pass's after");
                assertEquals(unoptimized, s.unoptimized(), what);
                assertEquals(f.program().length(), s.length(), what);
                for (int i = 1; i < s.steps().size(); i++) {
                    assertEquals(s.steps().get(i - 1).after(), s.steps().get(i).before(), what + " step " + i);
                }
                for (CompileStats.Step p : s.passes()) {
                    Pass pass = Pass.byId(p.name());
                    assertEquals(o.runs(pass), p.ran(), what + " " + p.name());
                    if (!p.ran()) {
                        assertEquals(p.before(), p.after(), what + " " + p.name());
                        assertEquals(0, p.nanos(), what + " " + p.name());
                    }
                    // a pass's 'after' is the length of the program its passes so far would make
                    assertEquals(
                            PolicyCompiler.compile(policy, upTo(o, pass))
                                    .program()
                                    .length(),
                            p.after(),
                            what + ": after " + p.name());
                }
                assertTrue(
                        s.render().contains(unoptimized + " -> " + f.program().length() + " instructions"), s.render());
            }
        }
    }

    @Test
    void passesAreSwitchedOffByName() {
        CompileOptions o = CompileOptions.defaults().without(List.of("shared-tails", "weighted-tree"));
        assertEquals(EnumSet.of(Pass.COALESCE_RANGES, Pass.REDUNDANT_LOADS), o.passes());
        assertEquals(Map.of(), o.frequency());
        PolicyException e = assertThrows(
                PolicyException.class, () -> CompileOptions.defaults().without(List.of("redundant-loads", "tails")));
        assertEquals(
                "syscage: error: unknown optimizer pass 'tails' (known: coalesce-ranges, weighted-tree, "
                        + "shared-tails, redundant-loads)",
                e.getMessage());
    }

    /** The options with only those of {@code o}'s passes that come up to {@code last}. */
    private static CompileOptions upTo(CompileOptions o, Pass last) {
        EnumSet<Pass> on = EnumSet.noneOf(Pass.class);
        for (Pass p : Pass.values()) {
            if (p.ordinal() <= last.ordinal() && o.runs(p)) {
                on.add(p);
            }
        }
        return new CompileOptions(on, o.frequency());
    }

    private static String off(CompileOptions o) {
        EnumSet<Pass> off = EnumSet.allOf(Pass.class);
        off.removeAll(o.passes());
        return off.toString();
    }

    /** Compares the two programs on every call of the corpus; returns how many. */
    private static long sameDecisions(Policy policy, Program want, Program got, String what) {
        ArchPolicy ap = policy.arches().get(0);
        int arch = ap.arch().auditArch();
        long[][] argSets = argumentSets(ap);
        long n = 0;
        for (int nr : numbers(ap)) {
            boolean checked = !ap.clausesFor(nr).stream().allMatch(Clause::unconditional);
            for (long[] args : checked ? argSets : Arrays.copyOf(argSets, COMMON.length)) {
                n += compare(SeccompData.of(nr, arch, args), want, got, policy, what);
            }
            n += compare(SeccompData.of(nr, Arch.AARCH64.auditArch(), argSets[0]), want, got, policy, what);
        }
        return n;
    }

    private static int compare(SeccompData d, Program want, Program got, Policy policy, String what) {
        int w = Interpreter.eval(want, d);
        int g = Interpreter.eval(got, d);
        if (w != g) {
            fail(String.format(
                    "%s without %s decides %s as 0x%08x, all passes as 0x%08x%n" + "--- all passes%n%s--- without%n%s",
                    label(policy), what, d, g, w, Disassembler.disassemble(want), Disassembler.disassemble(got)));
        }
        return 1;
    }

    private static String label(Policy p) {
        return p.name() + " (" + p.arches().get(0).arch() + ")";
    }

    private static List<Integer> numbers(ArchPolicy ap) {
        List<Integer> nrs = new ArrayList<>();
        for (int nr = -1; nr <= ap.table().maxNumber() + 3; nr++) {
            nrs.add(nr);
        }
        nrs.addAll(List.of(0x7fffffff, Arch.X32_SYSCALL_BIT, Arch.X32_SYSCALL_BIT + 1, Arch.X32_SYSCALL_BIT + 59));
        return nrs;
    }

    /**
     * Each value in every argument (the first {@code COMMON.length} sets are those of the
     * common values), then each value alone in one argument. The values: the common ones, and
     * each constant the policy compares with, ±1, its mask and the constant without the mask.
     */
    private static long[][] argumentSets(ArchPolicy ap) {
        TreeSet<Long> values = new TreeSet<>();
        for (List<Clause> clauses : ap.clauses().values()) {
            for (Clause c : clauses) {
                constants(c.when(), values);
            }
        }
        Arrays.stream(COMMON).forEach(values::remove);
        List<long[]> sets = new ArrayList<>();
        List<Long> all = new ArrayList<>();
        Arrays.stream(COMMON).forEach(all::add);
        all.addAll(values);
        for (long v : all) {
            long[] a = new long[6];
            Arrays.fill(a, v);
            sets.add(a);
        }
        for (long v : all) {
            for (int i = 0; i < 6; i++) {
                long[] a = new long[6];
                a[i] = v;
                sets.add(a);
            }
        }
        return sets.toArray(long[][]::new);
    }

    private static void constants(Cond c, TreeSet<Long> out) {
        if (c instanceof Cond.Test t) {
            out.addAll(List.of(t.value(), t.value() + 1, t.value() - 1, t.mask(), t.value() | ~t.mask()));
        } else if (c instanceof Cond.Not n) {
            constants(n.term(), out);
        } else if (c instanceof Cond.And a) {
            a.terms().forEach(x -> constants(x, out));
        } else if (c instanceof Cond.Or o) {
            o.terms().forEach(x -> constants(x, out));
        }
    }

    private static List<Policy> shippedPolicies() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(PROFILES)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no profiles in " + PROFILES.toAbsolutePath());
        List<Policy> out = new ArrayList<>();
        for (Path p : files) {
            for (Arch a : List.of(Arch.X86_64, Arch.I386)) {
                out.add(PolicyLoader.load(p, new LoadOptions(List.of(PROFILES), List.of(a))));
            }
        }
        return out;
    }
}
