package dev.syscage.cli;

import dev.syscage.policy.bpf.Program;
import dev.syscage.policy.fallback.SupervisorFallback;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.RulesetText;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.run.LandlockPlan;
import dev.syscage.run.LaunchPlan;
import dev.syscage.run.ListenerHandoff;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What {@code run --dry-run} says about the launch: the launcher's command line as the run
 * would give it, shell-quoted (the descriptors syscage makes only at run time, the sealed
 * filter and ruleset and the handshake pipes, shown as {@code <...>}), and whether the program
 * can be started at all, found as the launcher finds it (native/launcher/exec.c).
 */
final class DryRun {
    /** The launcher's PATH when the environment has none (native/launcher/exec.h). */
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private DryRun() {}

    /** Why the program cannot start, and the exit status a run would have: 127 not found, 126 not executable. */
    record CannotStart(int status, String reason) {}

    /**
     * The launcher's argv for {@code plan}, with {@code <...>} for the descriptors the run makes
     * then: the filter's memfd, the mode's handshake pipes, the listener's socket unless it goes by
     * pidfd (ListenerTransfer), a contained plain run's pid pipe.
     */
    static List<String> launcherArgv(LaunchPlan plan) {
        List<String> handshake = new ArrayList<>();
        if (plan.mode().equals(Optional.of(SupervisionMode.NOTIFY))) {
            handshake.addAll(List.of("--notify-handshake", "<report-pipe>,<go-pipe>"));
            if (plan.handoff() != ListenerHandoff.PIDFD) {
                handshake.addAll(List.of("--notify-socket", "<handoff-socket>"));
            }
        } else if (plan.mode().isPresent()) {
            handshake.addAll(List.of("--trace-handshake", "<report-pipe>,<go-pipe>", "--tracer", "<tracer-tid>"));
        }
        return plan.argv("<filter-memfd>", handshake, plan.mode().isEmpty() && plan.contained() ? "<pid-pipe>" : null);
    }

    /** {@code argv} as one line a POSIX shell reads back as the same words. */
    static String shellQuote(List<String> argv) {
        List<String> words = new ArrayList<>();
        for (String a : argv) {
            words.add(!a.isEmpty() && PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", words);
    }

    /** Empty when the launcher would find {@code program} and could execute it. */
    static Optional<CannotStart> check(String program, String pathVariable) {
        if (program.contains("/")) {
            return examine(Path.of(program), program + ": no such file");
        }
        String search = pathVariable == null ? DEFAULT_PATH : pathVariable;
        Optional<CannotStart> denied = Optional.empty();
        for (String dir : search.split(":", -1)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            Optional<CannotStart> found = examine(p, null);
            if (found.isEmpty()) {
                return found;
            }
            if (found.get().status() == 126 && denied.isEmpty()) {
                denied = found;
            }
        }
        return Optional.of(
                denied.orElse(new CannotStart(127, program + ": command not found in PATH (" + search + ")")));
    }

    private static Optional<CannotStart> examine(Path p, String missing) {
        if (!Files.exists(p)) {
            return Optional.of(new CannotStart(127, missing == null ? p + ": no such file" : missing));
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            return Optional.of(new CannotStart(
                    126, p + ": cannot execute: it is not a regular file with execute" + " permission"));
        }
        return Optional.empty();
    }

    /** For --dry-run: the policy's ruleset, what this kernel enforces of it (or the fallback's rules), the warnings. */
    static List<String> landlockLines(
            LandlockRuleset wanted,
            LandlockPlan landlock,
            Optional<SupervisorFallback.Result> fallback,
            List<String> warnings) {
        List<String> lines = new ArrayList<>(RulesetText.describe(wanted));
        if (fallback.isPresent()) {
            lines.add("landlock on this kernel: ABI " + landlock.abi().version() + ", none of it enforced");
            lines.addAll(fallback.get().summary());
        } else {
            landlock.summary().ifPresent(lines::add);
        }
        warnings.forEach(w -> lines.add("warning: " + w));
        return lines;
    }

    /** 0, or what the run would exit with when the launcher could not start {@code program} (said on {@code err}). */
    static int status(String program, PrintWriter err) {
        Optional<CannotStart> no = check(program, System.getenv("PATH"));
        no.ifPresent(c -> err.println("syscage: the program cannot start: " + c.reason()));
        err.flush();
        return no.map(CannotStart::status).orElse(ExitCodes.OK);
    }

    /** The policy as the run installs it, the filter's size, the Landlock and isolation lines, the launcher's argv. */
    static void printSummary(
            PrintWriter out, Policy policy, Program program, List<String> landlock, List<String> argv) {
        out.printf(
                "policy: %s%s%n",
                policy.name(), policy.description().isEmpty() ? "" : " (" + policy.description() + ")");
        out.printf(
                "arch: %s; any other: %s%n",
                policy.arches().stream().map(a -> a.arch().toString()).collect(Collectors.joining(", ")),
                PolicyText.describe(policy.badArchAction()));
        ArchPolicy first = policy.arches().get(0);
        out.printf(
                "default: %s; unknown syscalls: %s%n",
                PolicyText.describe(first.defaultAction()), PolicyText.describe(first.unknownAction()));
        out.printf("filter: %d instructions (%d bytes), verified%n", program.length(), program.length() * 8);
        out.println("rules (first match wins):");
        for (Policy.RuleSummary r : policy.rules()) {
            List<String> calls = r.syscalls();
            String list = calls.size() <= 6
                    ? String.join(", ", calls)
                    : String.join(", ", calls.subList(0, 6)) + ", +" + (calls.size() - 6) + " more";
            out.printf(
                    "  #%d %s: %s [%s]%s%n",
                    r.index() + 1,
                    r.pos().fileLine(),
                    PolicyText.describe(r.action()),
                    list,
                    r.when() == null || r.when().isEmpty() ? "" : " when " + r.when());
        }
        landlock.forEach(out::println);
        out.printf("would run: %s%n", shellQuote(argv));
        out.flush();
    }
}
