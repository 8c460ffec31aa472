package dev.syscage.supervise.audit;

import java.io.IOException;

/** Turns audit records into lines of one format; used by the log's single writer thread only. */
interface RecordWriter extends AutoCloseable {
    void write(AuditRecord record) throws IOException;

    /** Writes the run's closing record, if this format has one; false when it wrote nothing. */
    default boolean writeEnd(RunEnd.Written end) throws IOException {
        return false;
    }

    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
