package dev.syscage.cli;

import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.AuditRun;
import dev.syscage.auditlog.BadLog;
import dev.syscage.auditlog.CallRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one way a command opens the audit log named on its command line ({@code report},
 * {@code suggest}): a file, or {@code -} for standard input (named {@code <stdin>}, claimed as
 * {@link InputFile} claims it), read by {@link AuditLogReader}. A file that cannot be read is
 * {@code cannot read FILE: REASON}, a line that is not a record {@code FILE:LINE: what}: both bad
 * input (exit 2).
 */
final class AuditLogInput {
    private AuditLogInput() {}

    /** The whole log of {@code log}, given to {@code command}. */
    static AuditRun read(String log, CommandSpec command) {
        return with(log, command, AuditLogReader::read);
    }

    /** The log of {@code log} a call record at a time. */
    static AuditLogReader.Summary forEach(String log, CommandSpec command, Consumer<CallRecord> onCall) {
        return with(log, command, (name, in) -> AuditLogReader.forEach(name, in, onCall));
    }

    private interface Reading<T> {
        T read(String name, BufferedReader in) throws IOException, BadLog;
    }

    private static <T> T with(String log, CommandSpec command, Reading<T> reading) {
        boolean dash = log.equals("-");
        String name = dash ? InputFile.STDIN_NAME : log;
        try (BufferedReader in = AuditLogReader.open(
                log, dash ? SyscageCommand.stdio(command).claimIn("LOG") : java.io.InputStream.nullInputStream())) {
            return reading.read(name, in);
        } catch (BadLog e) {
            throw UserException.badInput(e.getMessage());
        } catch (IOException e) {
            throw InputFile.cannotRead(name, e);
        }
    }
}
