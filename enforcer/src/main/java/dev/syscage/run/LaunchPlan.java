package dev.syscage.run;

import dev.syscage.policy.rewrite.SupervisionMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a run hands the launcher (native/launcher): the filter's bytes, how the run holds its
 * tree, the other options, the program. {@code run --dry-run} prints it and the runners start
 * it, so what the dry run shows is what the run starts; each runner adds only the descriptors
 * it makes at run time (the filter's memfd, the handshake pipes).
 *
 * @param launcher      the launcher's path
 * @param filter        the compiled filter ({@code struct sock_filter} bytes)
 * @param mode          the supervision mode; empty for a run without a supervisor
 * @param contain       how the launcher holds the tree
 * @param options       the other launcher options, in order ({@code --flags log}, {@code --grace 10}, ...)
 * @param handoff       notify mode: how the listener reaches syscage
 * @param interruptible notify mode: a received call's wait ends on any caught signal
 * @param command       the program and its arguments
 */
public record LaunchPlan(
        Path launcher,
        byte[] filter,
        Optional<SupervisionMode> mode,
        Contain contain,
        List<String> options,
        ListenerHandoff handoff,
        boolean interruptible,
        List<String> command) {
    public LaunchPlan {
        options = List.copyOf(options);
        command = List.copyOf(command);
    }

    /** The launcher's containment options (native/launcher/contain.h). */
    public enum Contain {
        /** A child subreaper only (a supervised run, or {@code --no-contain}). */
        NONE(null),
        /** Its own PID and mount namespace. */
        FULL("--contain"),
        /** Its own PID namespace, syscage's mounts (a supervised run that asks for namespaces, as root). */
        PID_ONLY("--contain-pid-only");

        private final String flag;

        Contain(String flag) {
            this.flag = flag;
        }

        public Optional<String> flag() {
            return Optional.ofNullable(flag);
        }
    }

    /** A run whose program's pid is not the launcher's: the launcher reports it on a pipe. */
    public boolean contained() {
        return contain != Contain.NONE;
    }

    /**
     * The launcher options after {@code --filter} and the mode's handshake: the containment,
     * {@link #options}, and notify mode's {@code --notify-interruptible}.
     */
    public List<String> flags() {
        List<String> f = new ArrayList<>();
        contain.flag().ifPresent(f::add);
        f.addAll(options);
        if (interruptible && mode.equals(Optional.of(SupervisionMode.NOTIFY))) {
            f.add("--notify-interruptible");
        }
        return f;
    }

    /**
     * The launcher's whole command line: {@code --filter filter}, the mode's {@code handshake}
     * options, {@link #flags}, {@code --report-pid reportPid} unless it is null, then the program.
     */
    public List<String> argv(String filter, List<String> handshake, String reportPid) {
        List<String> argv = new ArrayList<>(List.of(launcher.toString(), "--filter", filter));
        argv.addAll(handshake);
        argv.addAll(flags());
        if (reportPid != null) {
            argv.addAll(List.of("--report-pid", reportPid));
        }
        argv.add("--");
        argv.addAll(command);
        return argv;
    }

    /** This plan with one more launcher option ({@code --landlock FD}, {@code --cache-store FD}). */
    public LaunchPlan with(String option, String value) {
        List<String> more = new ArrayList<>(options);
        more.addAll(List.of(option, value));
        return new LaunchPlan(launcher, filter, mode, contain, more, handoff, interruptible, command);
    }
}
