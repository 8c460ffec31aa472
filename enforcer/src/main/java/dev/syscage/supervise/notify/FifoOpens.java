package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.nativeaccess.SeccompListener;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Race-free opens of FIFOs, which block until the other end is opened: made on a thread of their
 * own, so that the supervisor thread goes on answering the program's other calls (among them,
 * perhaps, the open of the other end). The FIFO was looked up and checked on the supervisor
 * thread; here it is opened through that lookup ({@code /proc/self/fd/N}), and the file given to
 * the program with ADDFD, which also answers the notification. A call that went away meanwhile
 * gets nothing (ID_VALID before the open, ADDFD's ENOENT after it).
 *
 * <p>A write end is opened without blocking and tried again while the call waits (exact: the
 * kernel's open also returns once a reader is there). A read end is a blocking open: its thread
 * stays blocked while the FIFO has no writer, also after its caller is gone, and then opens and
 * closes the read end when a writer comes (see docs/notify.md, Limits). At most
 * {@value #MAX_WAITING} opens wait at a time; one more is answered EAGAIN, so that a program
 * cannot make the supervisor start threads without end; they are daemon threads.
 *
 * <p>In a Landlock domain ({@link LandlockDomain}) each of these threads is one of the domain's:
 * it restricts itself before it opens anything, so the FIFO is opened as the program's domain
 * allows, and a blocked open holds its own thread, not the domain's shared one (which the
 * supervisor thread waits on for its other calls). A thread that cannot restrict itself answers
 * EPERM and opens nothing.
 */
final class FifoOpens {
    static final int MAX_WAITING = 64;

    private final SeccompListener listener;
    private final LandlockDomain domain;
    private final AtomicInteger waiting = new AtomicInteger();

    /** @param listener the supervisor thread's handle: each FIFO thread makes its own ({@link SeccompListener#forThread}) */
    FifoOpens(SeccompListener listener, LandlockDomain domain) {
        this.listener = listener;
        this.domain = domain;
    }

    /**
     * Opens the FIFO {@code found} (ours, {@code O_PATH}; closed here) with {@code flags} for
     * notification {@code id} on another thread, or returns EAGAIN (and closes it) when too many
     * wait already: 0 when the open was handed over.
     */
    int open(long id, int found, long flags, boolean cloexec) {
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            FdInjector.closeQuietly(found);
            return EAGAIN;
        }
        Runnable done = () -> {
            FdInjector.closeQuietly(found);
            waiting.decrementAndGet();
        };
        domain.start(
                "syscage-fifo-open",
                () -> {
                    // this thread is in the domain already (or there is none): the injector calls here
                    SeccompListener own = listener.forThread();
                    FdInjector injector = new FdInjector(own);
                    Answering replies = new Answering(own);
                    try {
                        int fd = (flags & O_ACCMODE) == O_WRONLY
                                ? openWriteEnd(injector, replies, id, found, flags)
                                : replies.idValid(id) ? injector.reopen(found, flags, 0) : GONE;
                        if (fd == GONE) {
                            return;
                        }
                        if (fd < 0) {
                            replies.send(id, fd, 0);
                            return;
                        }
                        try {
                            int got = injector.inject(id, fd, cloexec);
                            if (got < 0 && got != -ENOENT) {
                                replies.send(id, got, 0);
                            }
                        } finally {
                            FdInjector.closeQuietly(fd);
                        }
                    } catch (RuntimeException e) {
                        // the listener is gone or broken: the supervisor thread meets that too, and ends the run
                    } finally {
                        done.run();
                    }
                },
                () -> {
                    try {
                        new Answering(listener.forThread()).send(id, -EPERM, 0); // not in the domain: opens nothing
                    } catch (RuntimeException e) {
                        // as above
                    } finally {
                        done.run();
                    }
                });
        return 0;
    }

    private static final long O_ACCMODE = 03;
    private static final long O_WRONLY = 01;
    private static final long O_NONBLOCK = 04000;
    private static final int ENXIO = 6;
    /** Not an fd nor an errno: the call went away while its open waited. */
    private static final int GONE = Integer.MIN_VALUE;

    /**
     * The write end, without blocking: {@code O_NONBLOCK} opens fail with ENXIO while no reader
     * has the FIFO open, so they are tried again (1 ms, then up to 50 ms apart) for as long as the
     * call still waits (ID_VALID), and the file is given blocking as asked. A call that went away
     * leaves nothing behind, not even an open that a reader would see.
     */
    private static int openWriteEnd(FdInjector injector, Answering replies, long id, int found, long flags) {
        long pause = 1;
        while (replies.idValid(id)) {
            int fd = injector.reopen(found, flags | O_NONBLOCK, 0);
            if (fd != -ENXIO) {
                if (fd >= 0 && (flags & O_NONBLOCK) == 0) {
                    injector.setStatusFlags(fd, flags & ~O_NONBLOCK);
                }
                return fd;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return GONE;
            }
            pause = Math.min(50, pause * 2);
        }
        return GONE;
    }
}
