package dev.syscage.cli;

import dev.syscage.run.ListenerHandoff;
import dev.syscage.run.Runner;
import dev.syscage.run.SupervisionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

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

    private DryRun() {
    }

    /** Why the program cannot start, and the exit status a run would have: 127 not found, 126 not executable. */
    record CannotStart(int status, String reason) {
    }

    /**
     * The launcher's argv; {@code flags} as RunCommand gives them, before it adds the ruleset's
     * memfd; {@code handoff} matters in notify mode (a socket unless it is pidfd: ListenerTransfer).
     */
    static List<String> launcherArgv(Path launcher, List<String> flags, boolean ruleset, SupervisionMode mode,
            ListenerHandoff handoff, boolean interruptible, List<String> command) {
        List<String> argv = new ArrayList<>(List.of(launcher.toString(), "--filter", "<filter-memfd>"));
        if (mode == SupervisionMode.NOTIFY) {
            argv.addAll(List.of("--notify-handshake", "<report-pipe>,<go-pipe>"));
            if (handoff != ListenerHandoff.PIDFD) {
                argv.addAll(List.of("--notify-socket", "<handoff-socket>"));
            }
        } else if (mode == SupervisionMode.TRACE) {
            argv.addAll(List.of("--trace-handshake", "<report-pipe>,<go-pipe>", "--tracer", "<tracer-tid>"));
        }
        argv.addAll(flags);
        if (ruleset) {
            argv.addAll(List.of("--landlock", "<ruleset-memfd>"));
        }
        if (mode == SupervisionMode.NOTIFY && interruptible) {
            argv.add("--notify-interruptible");
        }
        if (mode == null && (flags.contains(Runner.CONTAIN) || flags.contains(Runner.CONTAIN_PID_ONLY))) {
            argv.addAll(List.of("--report-pid", "<pid-pipe>"));
        }
        argv.add("--");
        argv.addAll(command);
        return argv;
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
        return Optional.of(denied.orElse(new CannotStart(127, program + ": command not found in PATH (" + search + ")")));
    }

    private static Optional<CannotStart> examine(Path p, String missing) {
        if (!Files.exists(p)) {
            return Optional.of(new CannotStart(127, missing == null ? p + ": no such file" : missing));
        }
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            return Optional.of(new CannotStart(126, p + ": cannot execute: it is not a regular file with execute"
                    + " permission"));
        }
        return Optional.empty();
    }
}
