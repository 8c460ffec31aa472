package dev.syscage.cli;

import dev.syscage.policy.input.BoundedRead;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one place the CLI reads a file named on its command line: {@code -} is standard input,
 * named {@code <stdin>} in messages; every other file goes through {@link BoundedRead} (its size
 * limit, and a FIFO nobody writes to is an error, not a hang). Whatever cannot be read is bad
 * input said one way: {@code cannot read FILE: REASON}.
 */
final class InputFile {
    /** How standard input is named in messages ({@code <stdin>:3:5: error: ...}). */
    static final String STDIN_NAME = "<stdin>";

    private InputFile() {}

    /** What was read: {@code file} is where from, or null for standard input. */
    record Read(String display, Path file, BoundedRead.Input input) {}

    static boolean isDash(Path p) {
        return p != null && p.toString().equals("-");
    }

    /** How {@code arg} is named in messages. */
    static String display(Path arg) {
        return isDash(arg) ? STDIN_NAME : String.valueOf(arg);
    }

    /** At most {@code max} bytes (and one more, to tell) of {@code arg}, given as {@code option}. */
    static Read read(Path arg, int max, Stdio stdio, String option) {
        if (isDash(arg)) {
            try {
                return new Read(STDIN_NAME, null, BoundedRead.read(stdio.claimIn(option), max));
            } catch (IOException e) {
                throw cannotRead(STDIN_NAME, e);
            }
        }
        try {
            return new Read(arg.toString(), arg, BoundedRead.read(arg, max));
        } catch (IOException e) {
            throw cannotRead(arg.toString(), e);
        }
    }

    static UserException cannotRead(String name, IOException e) {
        return UserException.badInput("cannot read " + name + ": " + BoundedRead.reason(e));
    }
}
