package dev.syscage.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The byte streams behind {@code -}: standard input, read at most once per command line, and
 * standard output for binary output, which is refused when it is a terminal. Tests give their
 * own; {@link #system()} is the process's.
 */
public final class Stdio {
    private final InputStream in;
    private final OutputStream out;
    private final BooleanSupplier outIsTerminal;
    private boolean inClaimed;

    public Stdio(InputStream in, OutputStream out, BooleanSupplier outIsTerminal) {
        this.in = in;
        this.out = out;
        this.outIsTerminal = outIsTerminal;
    }

    /** The process's standard input and output. */
    public static Stdio system() {
        return new Stdio(System.in, System.out, () -> isTerminal(Path.of("/proc/self/fd/1")));
    }

    /** Standard input, for the one option that may read it; a second {@code -} is bad input. */
    InputStream claimIn(String what) {
        if (inClaimed) {
            throw UserException.badInput("cannot read " + what + " from standard input (-): another - has read it");
        }
        inClaimed = true;
        return in;
    }

    OutputStream out() {
        return out;
    }

    boolean outIsTerminal() {
        return outIsTerminal.getAsBoolean();
    }

    /** Whether an fd link leads to a terminal (a pty or a virtual console). */
    static boolean isTerminal(Path fdLink) {
        try {
            String to = Files.readSymbolicLink(fdLink).toString();
            return to.startsWith("/dev/pts/") || to.startsWith("/dev/tty") || to.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
