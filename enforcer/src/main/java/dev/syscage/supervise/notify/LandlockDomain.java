package dev.syscage.supervise.notify;

import dev.syscage.nativeaccess.Landlock;
import dev.syscage.nativeaccess.NotifyCallClasses;
import dev.syscage.policy.landlock.Abi;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * The program's Landlock domain, for the calls the supervisor makes on the program's behalf. The
 * launcher puts the program in a domain; syscage's JVM is outside it, so a call the supervisor
 * makes for the program (a race-free open, a {@code mkdirat}, ...) would be judged with the JVM's
 * rights, and a supervise rule that allows a path would let the program reach a file its domain
 * forbids. So those calls run on threads that are in an equal domain, made from the same
 * ruleset: the kernel refuses them there as it would refuse the program.
 *
 * <p>A Landlock domain holds a thread, not a process, and for good: these threads are the
 * domain's own (daemon threads named {@code syscage-landlock-N}), each restricts itself before it
 * runs anything, none is ever handed back to a shared pool, and they end with the run
 * ({@link #close}). One of them, made and restricted at construction (which fails if it cannot
 * be), takes the supervisor's calls one at a time ({@link #call}: a blocking hand-off, the
 * result an {@code int}, so errno's being per thread does not matter). Calls that may block for
 * long (a FIFO's open) get a thread of their own ({@link #start}). A thread that cannot restrict
 * itself runs nothing: its calls are answered {@code -EPERM}.
 *
 * <p>{@link #NONE}, where the program has no domain or its domain handles no file-system right:
 * calls run on the caller's thread, as they did before there was Landlock.
 *
 * <p>A task must not load classes: the domain may forbid reading the class path. What the
 * supervisor's tasks use is loaded before any thread is restricted ({@link #PRELOADED}). Nor may
 * it start threads or first use a shared pool: a thread inherits its creator's domain.
 */
public final class LandlockDomain implements AutoCloseable {
    /** No domain: calls run on the caller's thread. */
    public static final LandlockDomain NONE = new LandlockDomain();

    /**
     * Classes a task may meet for the first time on a domain thread (the native calls and their
     * errors, the hand-off itself), loaded by the thread that makes the domain.
     */
    static final Class<?>[] PRELOADED = {FdInjector.class, Answering.class, Task.class, Worker.class};

    static {
        NotifyCallClasses.load(); // the native calls FdInjector and Answering make, and their errors
    }

    private static final int EPERM = 1;
    private static final long WAIT_FOR_FIRST_MS = 10_000;
    /** How often a caller waiting to hand over a call looks whether the domain was closed meanwhile. */
    private static final long OFFER_MS = 50;

    /** Puts the calling thread into the domain, or throws. Null for {@link #NONE}. */
    private final Runnable restrict;

    private final Runnable release;
    private final SynchronousQueue<Task> inbox = new SynchronousQueue<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final Worker worker;
    /** The file-system rights the domain handles: a call needing none of them runs on the caller's thread. */
    private final long handledFs;

    private volatile boolean closed;

    private LandlockDomain() {
        this.handledFs = 0;
        this.restrict = null;
        this.release = () -> {};
        this.worker = null;
    }

    /**
     * A domain whose threads each run {@code restrict} first; its first thread is made and
     * restricted now.
     *
     * @param release run once at {@link #close}, after the threads are told to end
     * @throws Landlock.Failure (or what {@code restrict} threw) when the first thread cannot be
     *     restricted; nothing is left running then
     */
    LandlockDomain(Runnable restrict, Runnable release) {
        this(restrict, release, FsAccess.ALL);
    }

    /** As above, for a domain that handles only {@code handledFs}. */
    LandlockDomain(Runnable restrict, Runnable release, long handledFs) {
        this.handledFs = handledFs;
        this.restrict = restrict;
        this.release = release;
        this.worker = new Worker(nextName());
        worker.start();
        Throwable failed = worker.awaitRestricted();
        if (failed != null) {
            close();
            if (failed instanceof RuntimeException r) {
                throw r;
            }
            if (failed instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(failed);
        }
    }

    /**
     * The domain {@code ruleset} makes on this kernel: cut to this kernel's ABI as the launcher
     * cuts it ({@link LandlockRuleset#negotiate}; whether that is acceptable is the caller's
     * question, asked before), {@link #NONE} when no file-system right is left to handle (no
     * Landlock, or a ruleset of network rules and scopes only: the supervisor makes no calls
     * those would judge). The ruleset's paths are opened now, once: threads restricted later
     * get the same rules, whatever the names lead to by then.
     *
     * @throws Landlock.Failure when the domain cannot be made or the first thread not restricted
     */
    public static LandlockDomain of(LandlockRuleset ruleset) {
        return of(ruleset, Landlock.instance());
    }

    static LandlockDomain of(LandlockRuleset ruleset, Landlock landlock) {
        if (ruleset.handledFs() == 0) {
            return NONE;
        }
        LandlockRuleset cut = ruleset.negotiate(new Abi(landlock.abi())).ruleset();
        if (cut.handledFs() == 0) {
            return NONE;
        }
        Landlock.Ruleset made = landlock.createRuleset(cut);
        try {
            return new LandlockDomain(made::restrictCurrentThread, made::close, cut.handledFs());
        } catch (RuntimeException | Error e) {
            made.close();
            throw e;
        }
    }

    /** Whether calls run in a domain (false for {@link #NONE}). */
    public boolean confined() {
        return worker != null;
    }

    /**
     * Whether a call that needs {@code rights} (FsAccess bits) must run in the domain: the domain
     * handles at least one of them, so it could refuse the program that call. A call needing
     * none of them would not be refused the program, and runs on the caller's thread: so a
     * domain that handles only device nodes (the shipped profiles') leaves every open where it
     * was, /proc/PID/fdinfo and the other ptrace-checked files of the program included.
     */
    public boolean handlesAny(long rights) {
        return confined() && (handledFs & rights) != 0;
    }

    /**
     * {@code task}'s result, computed on the domain's thread (the caller waits), or on the
     * caller's thread for {@link #NONE}. {@code -EPERM} when the domain is closed: a task never
     * runs outside it. What the task throws is thrown here.
     */
    public int call(IntSupplier task) {
        if (worker == null) {
            return task.getAsInt();
        }
        Task t = new Task(task, Thread.currentThread());
        boolean interrupted = false;
        try {
            while (true) {
                if (closed || !worker.isAlive()) {
                    return -EPERM;
                }
                try {
                    if (inbox.offer(t, OFFER_MS, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            // the task has the caller's buffers: wait for it to finish whatever happens
            while (!t.done) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (t.failure instanceof RuntimeException r) {
            throw r;
        }
        if (t.failure instanceof Error e) {
            throw e;
        }
        return t.result;
    }

    /**
     * Starts a daemon thread of the domain that restricts itself and then runs {@code body}; if
     * it cannot restrict itself (or the domain is closed), it runs {@code refused} instead. For
     * {@link #NONE}, a daemon thread named {@code name} runs {@code body}.
     */
    public Thread start(String name, Runnable body, Runnable refused) {
        Thread t;
        if (worker == null) {
            t = new Thread(body, name);
        } else {
            t = new Thread(
                    () -> {
                        if (!restrictThisThread()) {
                            refused.run();
                            return;
                        }
                        body.run();
                    },
                    nextName());
        }
        t.setDaemon(true);
        t.start();
        return t;
    }

    private boolean restrictThisThread() {
        if (closed) {
            return false;
        }
        try {
            restrict.run();
            return true;
        } catch (RuntimeException | Error e) {
            return false;
        }
    }

    private String nextName() {
        return "syscage-landlock-" + threads.incrementAndGet();
    }

    /**
     * Ends the domain: its worker ends once its current call is done, later calls answer
     * {@code -EPERM}, and the ruleset is released. Threads started with {@link #start} that
     * still wait (a FIFO's open) end when their call does. {@link #NONE} ignores it.
     */
    @Override
    public void close() {
        if (worker == null || closed) {
            return;
        }
        closed = true;
        worker.interrupt();
        release.run();
    }

    /** One call handed to the worker; the caller waits for {@link #done}. */
    private static final class Task {
        final IntSupplier body;
        final Thread caller;
        int result;
        Throwable failure;
        volatile boolean done;

        Task(IntSupplier body, Thread caller) {
            this.body = body;
            this.caller = caller;
        }

        void run() {
            try {
                result = body.getAsInt();
            } catch (Throwable e) {
                failure = e;
            }
            done = true; // publishes result and failure
            LockSupport.unpark(caller);
        }
    }

    /** The thread that takes {@link #call}s: restricted first, then one call at a time until closed. */
    private final class Worker extends Thread {
        private final CountDownLatch restricted = new CountDownLatch(1);
        private volatile Throwable failed;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        /** Null once the thread is in the domain, or why it is not. */
        Throwable awaitRestricted() {
            try {
                if (!restricted.await(WAIT_FOR_FIRST_MS, TimeUnit.MILLISECONDS)) {
                    return new IllegalStateException(
                            getName() + " did not restrict itself within " + WAIT_FOR_FIRST_MS + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return e;
            }
            return failed;
        }

        @Override
        public void run() {
            try {
                restrict.run();
            } catch (Throwable e) {
                failed = e;
                restricted.countDown();
                return; // never runs a call outside the domain
            }
            restricted.countDown();
            while (!closed) {
                Task t;
                try {
                    t = inbox.take();
                } catch (InterruptedException e) {
                    continue; // closed, most likely: looked at above
                }
                t.run();
            }
        }
    }
}
