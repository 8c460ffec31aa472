package dev.syscage.report;

/** An audit log a report cannot be made of: the message names the file and, where there is one, the line. */
public final class BadLog extends Exception {
    public BadLog(String message) {
        super(message);
    }

    public BadLog(String source, long line, String message) {
        super(source + ":" + line + ": " + message);
    }
}
