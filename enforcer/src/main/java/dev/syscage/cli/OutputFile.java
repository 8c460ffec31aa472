package dev.syscage.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The one place the CLI writes a file named on its command line: {@code -} is standard output
 * (text through the command's writer, binary through {@link Stdio}, never to a terminal); any
 * other file is replaced atomically. What cannot be written is said one way:
 * {@code cannot write FILE: REASON}, exit status 1.
 */
final class OutputFile {
    private OutputFile() {}

    /** Text to {@code target}, or to {@code out} for {@code -}. */
    static void writeText(Path target, String text, PrintWriter out) {
        if (InputFile.isDash(target)) {
            out.print(text);
            out.flush();
            return;
        }
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Binary output: {@code -} only where standard output is no terminal. */
    static void writeBinary(Path target, byte[] bytes, Stdio stdio, String what) {
        if (!InputFile.isDash(target)) {
            write(target, bytes);
            return;
        }
        refuseTerminal(target, stdio, what);
        try {
            OutputStream out = stdio.out();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw cannotWrite("<stdout>", e);
        }
    }

    /** {@code -} for {@code option} is bad input: standard output belongs to the program there. */
    static void refuseDash(Path target, String option) {
        if (InputFile.isDash(target)) {
            throw UserException.badInput(
                    option + " -: standard output is the program's own, and the two would be mixed;"
                            + " give a file; nothing was run");
        }
    }

    /** Binary output to {@code target} is bad input when it is {@code -} and standard output a terminal. */
    static void refuseTerminal(Path target, Stdio stdio, String what) {
        if (InputFile.isDash(target) && stdio.outIsTerminal()) {
            throw UserException.badInput(what + " is binary and standard output is a terminal: redirect it"
                    + " (-o - > FILE, or | ...) or give -o FILE");
        }
    }

    private static void write(Path target, byte[] bytes) {
        try {
            writeAtomically(target, bytes);
        } catch (IOException e) {
            throw cannotWrite(target.toString(), e);
        }
    }

    static UserException cannotWrite(String name, IOException e) {
        return new UserException(
                ExitCodes.FAILURE, "cannot write " + name + ": " + dev.syscage.policy.input.BoundedRead.reason(e));
    }

    /**
     * Write next to the target and rename, so a failed write never leaves half a file. A target
     * that is there and is no regular file ({@code /dev/null}, {@code /dev/stdout}, a FIFO, or a
     * symlink to one) is written to, not replaced: renaming over it would put a file in its place.
     */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            Files.write(abs, bytes);
            return;
        }
        Path tmp = Files.createTempFile(abs.getParent(), ".syscage-", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
