package dev.syscage.supervise.audit;

import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Where the writer thread's records go, whole or not at all. A {@link RecordWriter} writes one
 * record's characters into it and {@link #endRecord} marks the record complete; only complete
 * records ever reach the destination. When the destination fails (a full disk, {@code /dev/full})
 * the sink says how many of the records it had taken were not written, and a file is cut back to
 * its last complete record: the log never ends in half a line. Used by one thread.
 */
abstract class RecordSink extends Writer {
    /** A write that failed, and how many of the records taken since the last good one it lost. */
    static final class Failure extends IOException {
        private final long lost;

        Failure(IOException cause, long lost) {
            super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
            this.lost = lost;
        }

        long lost() {
            return lost;
        }
    }

    private final StringBuilder current = new StringBuilder(512);

    @Override
    public final void write(char[] buf, int off, int len) {
        current.append(buf, off, len);
    }

    @Override
    public final void write(String s, int off, int len) {
        current.append(s, off, off + len);
    }

    @Override
    public final Writer append(CharSequence s) {
        current.append(s);
        return this;
    }

    /** A record's generator flushing: nothing happens until the record is complete. */
    @Override
    public final void flush() {}

    /** The characters written since the last call are one whole record. */
    final void endRecord() throws IOException {
        try {
            take(current);
        } finally {
            current.setLength(0);
        }
    }

    /** Drops what was written of a record that could not be made whole. */
    final void dropRecord() {
        current.setLength(0);
    }

    /** Takes one whole record; may write it, or keep it for {@link #sync}. */
    abstract void take(CharSequence record) throws IOException;

    /** Writes every record taken so far. */
    abstract void sync() throws IOException;

    /** A file, created or truncated, written in batches of whole records. */
    static RecordSink file(Path path) throws IOException {
        return new FileSink(FileChannel.open(
                path, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING));
    }

    /** Any writer, handed each record whole (tests, and sinks that are not files). */
    static RecordSink writer(Writer out) {
        return new RecordSink() {
            @Override
            void take(CharSequence record) throws IOException {
                out.append(record); // a failure loses this record, which the caller counts
            }

            @Override
            void sync() throws IOException {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw new Failure(e, 0);
                }
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    private static final class FileSink extends RecordSink {
        private static final int BATCH = 1 << 16;
        private final FileChannel channel;
        private ByteBuffer batch = ByteBuffer.allocate(BATCH);
        /** Where each record taken since the last sync ends in {@link #batch}. */
        private int[] ends = new int[256];

        private int records;

        FileSink(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        void take(CharSequence record) throws IOException {
            byte[] bytes = record.toString().getBytes(StandardCharsets.UTF_8);
            if (batch.position() + bytes.length > batch.capacity() && records > 0) {
                sync();
            }
            if (bytes.length > batch.remaining()) {
                batch = ByteBuffer.allocate(Math.max(BATCH, bytes.length));
            }
            batch.put(bytes);
            if (records == ends.length) {
                ends = Arrays.copyOf(ends, records * 2);
            }
            ends[records++] = batch.position();
        }

        @Override
        void sync() throws IOException {
            if (records == 0) {
                return;
            }
            batch.flip();
            long start = channel.position();
            try {
                while (batch.hasRemaining()) {
                    channel.write(batch);
                }
            } catch (IOException e) {
                int written = batch.position();
                int whole = 0;
                while (whole < records && ends[whole] <= written) {
                    whole++;
                }
                long good = start + (whole == 0 ? 0 : ends[whole - 1]);
                cutBackTo(good);
                long lost = records - whole;
                batch.clear();
                records = 0;
                throw new Failure(e, lost);
            }
            batch.clear();
            records = 0;
        }

        /** Drops a cut record's start: a regular file ends at its last whole record again. */
        private void cutBackTo(long good) {
            try {
                if (channel.size() > good) {
                    channel.truncate(good);
                }
                channel.position(good);
            } catch (IOException | UnsupportedOperationException notAFile) {
                // /dev/full, a pipe: nothing was kept there to cut
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
