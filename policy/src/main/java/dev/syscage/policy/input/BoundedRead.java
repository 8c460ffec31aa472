package dev.syscage.policy.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a file given on the command line or named in a policy without trusting its size or its
 * speed: at most {@code max} bytes are kept (one more is read to tell whether there was more),
 * so {@code /dev/zero} or a 20 MB file costs no more than a file at the limit; and an input that
 * is no regular file (a pipe, a FIFO, a device) must end within
 * {@link InputLimits#MAX_WAIT_SECONDS}, so a FIFO nobody writes to is an error, not a hang.
 */
public final class BoundedRead {
    private BoundedRead() {}

    /** What was read: at most the limit's bytes, and whether that was all there was. */
    public record Input(byte[] bytes, boolean complete) {
        /** At most {@code max} bytes of what was read, and whether that is all of it. */
        public Input within(int max) {
            return bytes.length <= max ? this : new Input(java.util.Arrays.copyOf(bytes, max), false);
        }
    }

    /** An input that is no regular file did not end in time. */
    public static final class TooSlowException extends IOException {
        TooSlowException() {
            super("not all there within " + InputLimits.MAX_WAIT_SECONDS + " s: it is no regular file,"
                    + " and what writes it did not finish; a FIFO nobody writes to?");
        }
    }

    /** Up to {@code max} bytes of {@code file}; {@code complete} is false when it holds more. */
    public static Input read(Path file, int max) throws IOException {
        if (Files.isRegularFile(file)) {
            return readStream(file, max);
        }
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory");
        }
        FutureTask<Input> task = new FutureTask<>(() -> readStream(file, max));
        Thread reader = new Thread(task, "syscage-read-" + file.getFileName());
        // a thread blocked opening a FIFO cannot be woken; as a daemon it does not keep the JVM up
        reader.setDaemon(true);
        reader.start();
        try {
            return task.get(InputLimits.MAX_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            reader.interrupt(); // ends a read in progress
            release(file, reader);
            throw new TooSlowException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reader.interrupt();
            throw new IOException("interrupted while reading " + file, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /**
     * Ends an open() of a FIFO that waits for a writer: opening it read-write never blocks on
     * Linux (fifo(7)) and counts as the writer the reader waits for; closing it at once gives
     * the reader end-of-file, and its thread ends instead of staying blocked for the rest of the
     * process. Where the FIFO cannot be opened for writing, the thread stays, as a daemon.
     */
    private static void release(Path file, Thread reader) {
        if (!Files.isWritable(file) || Files.isRegularFile(file) || Files.isDirectory(file)) {
            return;
        }
        try (RandomAccessFile wake = new RandomAccessFile(file.toFile(), "rw")) {
            reader.join(TimeUnit.SECONDS.toMillis(1));
        } catch (IOException | RuntimeException e) {
            // not a FIFO after all, or gone: nothing is waiting in open()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why a file could not be read, in a few words: what follows "cannot read FILE: ". */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** Up to {@code max} bytes of a stream, and whether it ended there. */
    public static Input read(InputStream in, int max) throws IOException {
        byte[] got = in.readNBytes(max + 1);
        if (got.length <= max) {
            return new Input(got, true);
        }
        byte[] kept = new byte[max];
        System.arraycopy(got, 0, kept, 0, max);
        return new Input(kept, false);
    }

    private static Input readStream(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, max);
        }
    }
}
