package dev.syscage.run;

import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.nativeaccess.SignalRelay;
import java.nio.file.Path;
import java.util.Optional;
import sun.misc.Signal;

/**
 * Passes SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to syscage on to the launcher, which passes
 * them on to the program and, with a grace period, ends the tree when the program does not obey
 * in time or a second SIGINT comes (native/launcher/watch.h). A terminal's Ctrl-C reaches the
 * launcher and the program directly too; the launcher takes the copy sent from here as the same
 * event, so the program sees it once.
 *
 * <p>The handler is C ({@link SignalRelay}), beside the launcher; without that library, Java's
 * signal API passes on SIGINT, SIGTERM and SIGHUP (not SIGQUIT, which the JVM keeps, nor a
 * SIGINT the JVM was started with ignored).
 */
final class SignalForwarding {
    static final int SIGHUP = 1;
    static final int SIGINT = 2;
    static final int SIGQUIT = 3;
    static final int SIGTERM = 15;

    private SignalForwarding() {}

    /**
     * Before the launcher starts: the signals {@link #to} will pass on are kept until then, so
     * that one sent as soon as the program runs (a test, a supervisor of syscage) reaches it
     * rather than ending the JVM, or, for SIGQUIT, making it print its threads.
     */
    static void hold(Path launcher) {
        relayBeside(launcher).ifPresent(r -> r.hold(SIGINT, SIGTERM, SIGHUP, SIGQUIT));
    }

    static void to(LinuxCLibrary libc, long pid, Path launcher) {
        Optional<SignalRelay> relay = relayBeside(launcher);
        if (relay.isPresent() && relay.get().relay((int) pid, SIGINT, SIGTERM, SIGHUP, SIGQUIT) == 0) {
            return;
        }
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), sig -> libc.kill((int) pid, sig.getNumber()));
            } catch (IllegalArgumentException e) {
                // the JVM keeps this one (e.g. -Xrs): it ends syscage, and the launcher with it
            }
        }
    }

    private static Optional<SignalRelay> relayBeside(Path launcher) {
        Path dir = launcher.toAbsolutePath().getParent();
        return dir == null ? Optional.empty() : SignalRelay.load(dir);
    }
}
