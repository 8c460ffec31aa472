package dev.syscage.auditlog;

/** An audit log with a line that is not a record of it: the message names the file and, where there is one, the line. */
public final class BadLog extends Exception {
    public BadLog(String message) {
        super(message);
    }

    public BadLog(String source, long line, String message) {
        super(source + ":" + line + ": " + message);
    }
}
