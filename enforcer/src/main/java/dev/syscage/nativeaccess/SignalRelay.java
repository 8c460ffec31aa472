package dev.syscage.nativeaccess;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code syscage_relay_signals} of {@code libsyscage-notify.so} (native/notify/relay.c),
 * direct-mapped: a C signal handler that passes SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to the
 * JVM on to the launcher. Java's own signal API cannot take SIGQUIT (the JVM's thread dumps),
 * nor SIGINT when the JVM was started with it ignored; the C handler takes over either way.
 */
public final class SignalRelay {
    private static Optional<SignalRelay> loaded;

    private SignalRelay() {}

    /** The library in {@code dir}, loaded once per JVM; empty when it is not there or lacks the function. */
    public static synchronized Optional<SignalRelay> load(Path dir) {
        if (loaded == null) {
            Path file = dir.resolve(NotifyFastPath.LIBRARY);
            loaded = Optional.empty();
            if (Files.isRegularFile(file)) {
                try {
                    Native.register(SignalRelay.class, NativeLibrary.getInstance(file.toString()));
                    loaded = Optional.of(new SignalRelay());
                } catch (LinkageError e) { // missing or an older build
                    loaded = Optional.empty();
                }
            }
        }
        return loaded;
    }

    /** From now on {@code signals} sent to this JVM go to {@code pid}, those held first; 0, or a negative errno. */
    public int relay(int pid, int... signals) {
        return syscage_relay_signals(pid, signals, signals.length);
    }

    /**
     * Until {@link #relay} names the target, {@code signals} sent to this JVM are kept (and then
     * passed on), not acted on; 0, or a negative errno.
     */
    public int hold(int... signals) {
        return syscage_relay_hold(signals, signals.length);
    }

    private static native int syscage_relay_signals(int pid, int[] sigs, int n);

    private static native int syscage_relay_hold(int[] sigs, int n);
}
