package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.Interpreter;
import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.model.RuleRef;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's fuzz test: deterministic mutants ({@link Mutator}, fixed seeds) of every shipped
 * profile and of OCI profiles, each run through the CLI in process, as a user would
 * ({@code compile}; {@code import} then {@code compile} for OCI). Every mutant must be answered
 * within {@link #BOUND} with exit 0, or exit 2 and a positioned error; never another status, a
 * stack trace or a hang.
 *
 * <p>An accepted mutant must also not allow, silently, a call its original denies. The two
 * compiled programs are run by the BPF interpreter on every x86_64 syscall number with a set of
 * arguments; a call the original denies (errno, kill, trap) and the mutant allows (allow, log) is
 * a widening. A mutant is a different policy, so a widening is what its text says when the
 * mutation changed the rule (or fallback) that decides the call in the mutant, or the one that
 * decided it in the original, or a top-level setting that reaches every call ({@code default},
 * {@code include}, {@code groups}, {@code arch}, ...), or when syscage warned about the syscall.
 * Anything else (a widening from a changed comment, {@code name}, {@code description} or
 * {@code frequency}, or from a rule the mutation did not touch) is silent, and fails the test.
 */
class MutantFuzzTest {
    static final java.time.Duration BOUND = java.time.Duration.ofSeconds(5);
    /** Mutants per shipped profile (8 profiles: 8,800) and per OCI profile: 10,000 without moby's, 10,400 with. */
    static final int PER_PROFILE = Integer.getInteger("fuzz.perProfile", 1100);

    static final int PER_OCI_FIXTURE = Integer.getInteger("fuzz.perOci", 1200);
    static final int PER_MOBY = Integer.getInteger("fuzz.perOci", 400);
    static final Path PROFILES = Path.of("../profiles");
    static final Path OCI_FIXTURE = Path.of("../policy/src/test/resources/oci/mini.json");
    static final String MOBY = "shared/reference/oci/moby-default.json";
    private static final Pattern POSITIONED = Pattern.compile("(?m)^\\S.*:\\d+:\\d+: error: ");
    /**
     * An OCI import error that names the profile and a JSON path ({@code syscalls[3].args[0].op},
     * or none for the top level) but no line:column. Issue 15 asks for both, and the importer
     * gives both now: {@link #OCI_ERRORS_POSITIONED} makes such an error a failure (false would
     * only count them).
     */
    private static final Pattern JSON_PATH = Pattern.compile("(?m)^syscage: error: [^:\\s]+\\.json: ");

    static final boolean OCI_ERRORS_POSITIONED = true;
    private static final Set<String> GLOBAL_KEYS_OCI = Set.of(
            "defaultAction",
            "defaultErrnoRet",
            "architectures",
            "archMap",
            "flags",
            "listenerPath",
            "listenerMetadata");
    /** Top-level keys whose change cannot change a decision: widening there is silent. */
    private static final Set<String> INERT_KEYS = Set.of("name", "description", "frequency", "rules");

    private static ExecutorService runner;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        runner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-cli");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stop() {
        runner.shutdownNow();
    }

    /** What one run of the CLI gave. */
    record Run(int code, String err) {}

    /** Counts for the summary line. */
    static final class Tally {
        int mutants;
        int accepted;
        int refused;
        int pathOnly;
        int widening;
        final Map<String, Integer> explained = new TreeMap<>();
        final List<String> failures = new ArrayList<>();

        void fail(String what) {
            if (failures.size() < 15) {
                failures.add(what);
            }
        }

        void explain(String why) {
            explained.merge(why, 1, Integer::sum);
        }
    }

    private static Run cli(String... args) {
        Future<CliTest.Run> f = runner.submit(() -> CliTest.run(args));
        try {
            CliTest.Run r = f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            return new Run(r.code(), r.err());
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Run(-1, "no answer within " + BOUND.toSeconds() + " s");
        } catch (InterruptedException | ExecutionException e) {
            return new Run(-2, String.valueOf(e));
        }
    }

    /** Exit 0, or 2 with a positioned error; no stack trace. Null when fine, else the problem. */
    private static String badAnswer(Run r, boolean oci, Tally t) {
        if (r.code() != 0 && r.code() != 2) {
            return "exit " + r.code() + ": " + firstLines(r.err());
        }
        if (r.err().contains("\tat ")
                || r.err().contains("Exception")
                || r.err().contains("internal error")) {
            return "stack trace or internal error: " + firstLines(r.err());
        }
        if (r.code() == 2 && !POSITIONED.matcher(r.err()).find()) {
            if (oci && !OCI_ERRORS_POSITIONED && JSON_PATH.matcher(r.err()).find()) {
                t.pathOnly++;
                return null;
            }
            return "exit 2 without a positioned error: " + firstLines(r.err());
        }
        return null;
    }

    private static String firstLines(String s) {
        return s.lines().limit(3).reduce((a, b) -> a + " | " + b).orElse("");
    }

    // ---------------------------------------------------------------- shipped profiles

    @Test
    void mutantsOfTheShippedProfiles() throws IOException {
        List<Path> profiles;
        try (Stream<Path> s = Files.list(PROFILES)) {
            profiles = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(8, profiles.size(), "the shipped profiles: " + profiles);
        Tally t = new Tally();
        long seed = 15_000;
        for (Path profile : profiles) {
            byte[] text = Files.readAllBytes(profile);
            Path file = dir.resolve(profile.getFileName());
            Path out = dir.resolve("out.bpf");
            Files.write(file, text);
            Run r = cli("compile", file.toString(), "-o", out.toString());
            assertEquals(0, r.code(), r.err());
            Baseline base = new Baseline(
                    Program.fromBytes(Files.readAllBytes(out)),
                    PolicyLoader.load(file, LoadOptions.defaults()),
                    topKeys(text),
                    file.toString());
            Mutator m = new Mutator(text);
            for (int i = 0; i < PER_PROFILE; i++) {
                Mutator.Mutant mu = m.mutant(seed++);
                Files.write(file, mu.bytes());
                Files.deleteIfExists(out);
                t.mutants++;
                Run run = cli("compile", file.toString(), "-o", out.toString());
                String bad = badAnswer(run, false, t);
                if (bad != null) {
                    t.fail(profile.getFileName() + " seed " + (seed - 1) + " (" + mu.what() + "): " + bad);
                    continue;
                }
                if (run.code() != 0) {
                    t.refused++;
                    continue;
                }
                t.accepted++;
                List<Widening> widened = widenings(base.program(), Program.fromBytes(Files.readAllBytes(out)));
                if (!widened.isEmpty()) {
                    t.widening++;
                    Policy mutant = PolicyLoader.load(file, LoadOptions.defaults());
                    checkYamlWidening(
                            base,
                            mutant,
                            mu,
                            widened,
                            run.err(),
                            t,
                            profile.getFileName() + " seed " + (seed - 1) + " (" + mu.what() + ")");
                }
            }
        }
        report("shipped profiles", t);
        assertTrue(t.mutants >= 8 * PER_PROFILE, "mutants: " + t.mutants);
        assertTrue(t.failures.isEmpty(), String.join("\n", t.failures));
    }

    /** The original's program and policy, and its top-level keys by line. */
    record Baseline(Program program, Policy policy, String[] keys, String file) {}

    private static void checkYamlWidening(
            Baseline base,
            Policy mutant,
            Mutator.Mutant mu,
            List<Widening> widened,
            String warnings,
            Tally t,
            String which) {
        String[] mutKeys = topKeys(mu.bytes());
        for (Widening w : widened) {
            String why = yamlReason(base, mutant, mutKeys, mu, w, warnings);
            if (why == null) {
                Decision was = ReferenceEvaluator.decide(base.policy(), w.call());
                Decision now = ReferenceEvaluator.decide(mutant, w.call());
                t.fail(which + ": " + w + " was " + was.action() + " by "
                        + was.rule().describe() + ", now " + now.action() + " by "
                        + now.rule().describe() + ", and no warning says so");
                return;
            }
            t.explain(why);
        }
    }

    /** Why the text accounts for this widening, or null. */
    static String yamlReason(
            Baseline base, Policy mutant, String[] mutKeys, Mutator.Mutant mu, Widening w, String warnings) {
        if (touchesGlobal(base.keys(), mu.origFrom(), mu.origTo())
                || touchesGlobal(mutKeys, mu.mutFrom(), mu.mutTo())) {
            return "a top-level setting changed";
        }
        Decision now = ReferenceEvaluator.decide(mutant, w.call());
        int[] nowSpan = span(mutant, now.rule(), base.file(), mutKeys.length);
        if (nowSpan != null && mu.touchesMutant(nowSpan[0], nowSpan[1])) {
            return "the deciding rule changed";
        }
        Decision was = ReferenceEvaluator.decide(base.policy(), w.call());
        int[] wasSpan = span(base.policy(), was.rule(), base.file(), base.keys().length);
        if (wasSpan != null && mu.touchesOriginal(wasSpan[0], wasSpan[1])) {
            return "the rule that denied changed";
        }
        if (warnings.contains("warning:") && warnings.contains(w.name())) {
            return "a warning names the syscall";
        }
        return null;
    }

    /** Whether lines from..to hold a top-level key other than the inert ones. */
    private static boolean touchesGlobal(String[] keys, int from, int to) {
        int a = Math.max(1, Math.min(from, to));
        int b = Math.min(keys.length, Math.max(from, to));
        for (int line = a; line <= b; line++) {
            String k = keys[line - 1];
            if (k != null && !INERT_KEYS.contains(k)) {
                return true;
            }
        }
        return false;
    }

    /** For each line (0-based index), the top-level key whose section it is in, or null before the first. */
    private static String[] topKeys(byte[] text) {
        List<String> lines =
                new String(text, StandardCharsets.ISO_8859_1).lines().toList();
        String[] keys = new String[lines.size()];
        Pattern key = Pattern.compile("^([A-Za-z_]+)\\s*:");
        String current = null;
        for (int i = 0; i < lines.size(); i++) {
            var m = key.matcher(lines.get(i));
            if (m.find()) {
                current = m.group(1);
            }
            keys[i] = current;
        }
        return keys;
    }

    /**
     * The lines of the top file a decision comes from: a rule from its first line to the line
     * before the next rule of the file (or the end); a fallback its own line. Null for rules of
     * included files, which mutants do not change.
     */
    private static int[] span(Policy p, RuleRef ref, String file, int lines) {
        SourcePos pos = ref.pos();
        if (pos == null || !pos.file().equals(file)) {
            return null;
        }
        if (ref.kind() != RuleRef.Kind.RULE) {
            return new int[] {pos.line(), pos.line()};
        }
        int end = lines;
        for (Policy.RuleSummary r : p.rules()) {
            if (r.pos() != null && r.pos().file().equals(file) && r.pos().line() > pos.line()) {
                end = Math.min(end, r.pos().line() - 1);
            }
        }
        return new int[] {pos.line(), end};
    }

    /**
     * The check above can fail: a widening that the changed lines do not account for (here a
     * mutant said to change only the description, which cannot change a decision) is silent;
     * told the truth (the deny rule's syscalls line changed), it is explained.
     */
    @Test
    void aWideningNoChangedLineAccountsForIsSilent() {
        String head = "version: 1\narch: x86_64\ndescription: %s\ndefault: allow\nrules:\n  - action: errno EPERM\n";
        String original = String.format(head, "a") + "    syscalls: [ptrace]\n";
        String mutated = String.format(head, "a") + "    syscalls: [getpid]\n";
        LoadOptions opts = LoadOptions.defaults();
        Policy before = PolicyLoader.loadString("t.yaml", original, opts);
        Policy after = PolicyLoader.loadString("t.yaml", mutated, opts);
        Baseline base = new Baseline(null, before, topKeys(original.getBytes(StandardCharsets.UTF_8)), "t.yaml");
        byte[] bytes = mutated.getBytes(StandardCharsets.UTF_8);
        int ptrace = SyscallTable.of(Arch.X86_64).byName("ptrace").orElseThrow().nr();
        Widening w =
                new Widening("ptrace", SeccompData.of(ptrace, Arch.X86_64.auditArch()), Action.errno(1), Action.ALLOW);
        Mutator.Mutant onlyDescription = new Mutator.Mutant(bytes, "a lie", 3, 3, 3, 3);
        assertEquals(null, yamlReason(base, after, topKeys(bytes), onlyDescription, w, ""));
        Mutator.Mutant truth = new Mutator.Mutant(bytes, "the truth", 7, 7, 7, 7);
        assertEquals("the rule that denied changed", yamlReason(base, after, topKeys(bytes), truth, w, ""));
    }

    // ---------------------------------------------------------------- OCI profiles

    @Test
    void mutantsOfTheOciFixture() throws IOException {
        Tally t = new Tally();
        ociMutants(Files.readAllBytes(OCI_FIXTURE), "mini.json", PER_OCI_FIXTURE, 150_000, t);
        report("OCI fixture", t);
        assertTrue(t.failures.isEmpty(), String.join("\n", t.failures));
    }

    @Test
    void mutantsOfMobysDefaultProfile() throws IOException {
        Path moby = findUp(MOBY);
        Assumptions.assumeTrue(
                moby != null,
                "../" + MOBY + " not present (only beside the repository in the"
                        + " project's workspace): the OCI fixture's mutants still run");
        Tally t = new Tally();
        ociMutants(Files.readAllBytes(moby), "moby-default.json", PER_MOBY, 250_000, t);
        report("moby default", t);
        assertTrue(t.failures.isEmpty(), String.join("\n", t.failures));
    }

    private static Path findUp(String rel) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(rel))) {
                return d.resolve(rel);
            }
        }
        return null;
    }

    private void ociMutants(byte[] text, String name, int count, long seed, Tally t) throws IOException {
        Path json = dir.resolve(name);
        Path yaml = dir.resolve("imported.yaml");
        Path out = dir.resolve("imported.bpf");
        Files.write(json, text);
        Program base = importAndCompile(json, yaml, out, t, "original");
        assertTrue(base != null, "the original imports and compiles: " + t.failures);
        List<Entry> baseEntries = entries(text);
        Mutator m = new Mutator(text);
        for (int i = 0; i < count; i++, seed++) {
            Mutator.Mutant mu = m.mutant(seed);
            Files.write(json, mu.bytes());
            t.mutants++;
            String which = name + " seed " + seed + " (" + mu.what() + ")";
            Run run = cli("import", json.toString(), "--kernel", "6.18", "--arch", "x86_64", "-o", yaml.toString());
            String bad = badAnswer(run, true, t);
            if (bad != null) {
                t.fail(which + ": " + bad);
                continue;
            }
            if (run.code() != 0) {
                t.refused++;
                continue;
            }
            Files.deleteIfExists(out);
            Run compiled = cli("compile", yaml.toString(), "-o", out.toString());
            if (compiled.code() != 0) {
                t.fail(which + ": import accepted it, but what it wrote does not compile: "
                        + firstLines(compiled.err()));
                continue;
            }
            t.accepted++;
            List<Widening> widened = widenings(base, Program.fromBytes(Files.readAllBytes(out)));
            if (widened.isEmpty()) {
                continue;
            }
            t.widening++;
            List<Entry> mutEntries = entries(mu.bytes());
            for (Widening w : widened) {
                String why = ociReason(baseEntries, mutEntries, mu, w, run.err());
                if (why == null) {
                    t.fail(which + ": " + w + " was denied, is allowed now, and no warning says so");
                    break;
                }
                t.explain(why);
            }
        }
    }

    private Program importAndCompile(Path json, Path yaml, Path out, Tally t, String which) throws IOException {
        Run run = cli("import", json.toString(), "--kernel", "6.18", "--arch", "x86_64", "-o", yaml.toString());
        if (run.code() != 0) {
            t.fail(which + ": " + firstLines(run.err()));
            return null;
        }
        Run compiled = cli("compile", yaml.toString(), "-o", out.toString());
        if (compiled.code() != 0) {
            t.fail(which + ": " + firstLines(compiled.err()));
            return null;
        }
        return Program.fromBytes(Files.readAllBytes(out));
    }

    /** One element of the profile: an entry of "syscalls" (its names) or a top-level key (no names), and its lines. */
    record Entry(int from, int to, Set<String> names, boolean global) {}

    /** The profile's top-level keys and syscalls entries with their lines; empty when it is no JSON. */
    private static List<Entry> entries(byte[] text) {
        List<Entry> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                int from = p.currentTokenLocation().getLineNr();
                JsonToken v = p.nextToken();
                if (key.equals("syscalls") && v == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        int start = p.currentTokenLocation().getLineNr();
                        Set<String> names = new HashSet<>();
                        collectNames(p, names);
                        out.add(new Entry(start, p.currentLocation().getLineNr(), names, false));
                    }
                } else {
                    p.skipChildren();
                    out.add(new Entry(from, p.currentLocation().getLineNr(), Set.of(), GLOBAL_KEYS_OCI.contains(key)));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** Reads one entry object to its end, collecting every string (names, and anything else: a superset). */
    private static void collectNames(JsonParser p, Set<String> names) throws IOException {
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return;
            }
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_STRING) {
                names.add(p.getText());
            }
        }
    }

    private static String ociReason(
            List<Entry> before, List<Entry> after, Mutator.Mutant mu, Widening w, String warnings) {
        for (Entry e : before) {
            if ((e.global() || e.names().contains(w.name())) && mu.touchesOriginal(e.from(), e.to())) {
                return e.global() ? "a top-level setting changed" : "an entry naming the syscall changed";
            }
        }
        for (Entry e : after) {
            if ((e.global() || e.names().contains(w.name())) && mu.touchesMutant(e.from(), e.to())) {
                return e.global() ? "a top-level setting changed" : "an entry naming the syscall changed";
            }
        }
        if (warnings.contains("warning:") && warnings.contains(w.name())) {
            return "a warning names the syscall";
        }
        return null;
    }

    // ---------------------------------------------------------------- decisions

    /** A call the original denies and the mutant allows. */
    record Widening(String name, SeccompData call, Action was, Action now) {
        @Override
        public String toString() {
            return name + " " + java.util.Arrays.toString(call.args());
        }
    }

    private static final List<SeccompData> CALLS = calls();

    /** Every x86_64 syscall number (and -1, a few above, x32) with argument sets around common constants. */
    private static List<SeccompData> calls() {
        Arch arch = Arch.X86_64;
        SyscallTable table = SyscallTable.of(arch);
        List<long[]> sets = new ArrayList<>();
        for (long v : new long[] {0, 1, 2, 4, 16, 40, 0x5401, 0x80000000L, 0x10000011L, 0x7E020000L, -1L}) {
            sets.add(new long[] {v, v, v, v, v, v});
        }
        for (long v : new long[] {1, 2, 3, 10, 16, 0x5401, 0x7fffffff, 0xffffffffL}) {
            sets.add(new long[] {v, 0, 0, 0, 0, 0});
            sets.add(new long[] {0, v, 0, 0, 0, 0});
            sets.add(new long[] {0, 0, v, 0, 0, 0});
        }
        List<SeccompData> out = new ArrayList<>();
        List<Integer> nrs = new ArrayList<>();
        for (int nr = -1; nr <= table.maxNumber() + 3; nr++) {
            nrs.add(nr);
        }
        nrs.add(Arch.X32_SYSCALL_BIT);
        for (int nr : nrs) {
            for (long[] a : sets) {
                out.add(SeccompData.of(nr, arch.auditArch(), a));
            }
        }
        return out;
    }

    private static Program deniedFor;
    private static List<SeccompData> denied;

    /** The calls of {@link #CALLS} that {@code p} denies (kept for the last program asked). */
    private static List<SeccompData> deniedBy(Program p) {
        if (!p.equals(deniedFor)) {
            denied = CALLS.stream()
                    .filter(d -> denies(Action.fromSeccompRet(Interpreter.eval(p, d))))
                    .toList();
            deniedFor = p;
        }
        return denied;
    }

    private static boolean denies(Action a) {
        return switch (a.kind()) {
            case ERRNO, KILL_PROCESS, KILL_THREAD, TRAP -> true;
            default -> false;
        };
    }

    private static boolean allows(Action a) {
        return a.kind() == Action.Kind.ALLOW || a.kind() == Action.Kind.LOG;
    }

    /** The calls the original denies and the mutant allows, one per syscall number. */
    private static List<Widening> widenings(Program original, Program mutant) {
        List<Widening> out = new ArrayList<>();
        if (original.equals(mutant)) {
            return out; // most accepted mutants change a comment or a name: the same program
        }
        Set<Integer> seen = new HashSet<>();
        SyscallTable table = SyscallTable.of(Arch.X86_64);
        for (SeccompData d : deniedBy(original)) {
            if (seen.contains(d.nr())) {
                continue;
            }
            Action was = Action.fromSeccompRet(Interpreter.eval(original, d));
            Action now = Action.fromSeccompRet(Interpreter.eval(mutant, d));
            if (allows(now)) {
                seen.add(d.nr());
                String name = table.byNumber(d.nr()).map(s -> s.name()).orElse("#" + d.nr());
                out.add(new Widening(name, d, was, now));
            }
        }
        return out;
    }

    private static void report(String what, Tally t) {
        System.out.printf(
                "MutantFuzzTest %s: %d mutants, %d refused (exit 2), %d accepted, %d OCI errors by JSON path"
                        + " only, %d accepted mutants widen: %s; %d problems%n",
                what, t.mutants, t.refused, t.accepted, t.pathOnly, t.widening, t.explained, t.failures.size());
    }
}
