package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Race-free opens of FIFOs, which block until the other end is opened: made on a thread of their
 * own, so that the supervisor thread goes on answering the program's other calls (among them,
 * perhaps, the open of the other end). The FIFO was looked up and checked on the supervisor
 * thread; here it is opened through that lookup ({@code /proc/self/fd/N}), and the file given to
 * the program with ADDFD, which also answers the notification. A call that went away meanwhile
 * gets nothing (ID_VALID before the open, ADDFD's ENOENT after it).
 *
 * <p>At most {@value #MAX_WAITING} opens wait at a time; one more is answered EAGAIN, so that a
 * program cannot make the supervisor start threads without end. A thread stays blocked while its
 * FIFO has no other end, also after the program is gone; they are daemon threads.
 */
final class FifoOpens {
    static final int MAX_WAITING = 64;

    private final int listener;
    private final int respSize;
    private final AtomicInteger waiting = new AtomicInteger();

    FifoOpens(int listener, int respSize) {
        this.listener = listener;
        this.respSize = respSize;
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
        Thread t = new Thread(() -> {
            FdInjector injector = new FdInjector(listener);
            Replies replies = new Replies(listener, respSize);
            try {
                if (!replies.idValid(id)) {
                    return;
                }
                int fd = injector.reopen(found, flags, 0);
                if (fd < 0) {
                    replies.send(id, fd, 0);
                    return;
                }
                try {
                    int err = injector.inject(id, fd, cloexec);
                    if (err != 0 && err != ENOENT) {
                        replies.send(id, -err, 0);
                    }
                } finally {
                    FdInjector.closeQuietly(fd);
                }
            } catch (RuntimeException e) {
                // the listener is gone or broken: the supervisor thread meets that too, and ends the run
            } finally {
                FdInjector.closeQuietly(found);
                waiting.decrementAndGet();
            }
        }, "syscage-fifo-open");
        t.setDaemon(true);
        t.start();
        return 0;
    }
}
