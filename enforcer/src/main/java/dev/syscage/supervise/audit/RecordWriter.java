package dev.syscage.supervise.audit;

import java.io.IOException;

/** Turns audit records into lines of one format; used by the log's single writer thread only. */
interface RecordWriter extends AutoCloseable {
    void write(AuditRecord record) throws IOException;

    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
