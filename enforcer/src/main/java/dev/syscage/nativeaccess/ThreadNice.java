package dev.syscage.nativeaccess;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * A thread's nice value, which Linux keeps per thread (setpriority with a thread id). Java's
 * thread priorities do nothing on Linux; syscage lowers its helper threads (the audit writer) so
 * that on a machine with few CPUs the supervisor thread and the program it answers come first.
 */
public final class ThreadNice {
    private static final int PRIO_PROCESS = 0;
    private static final boolean AVAILABLE = register();

    private ThreadNice() {}

    private static boolean register() {
        try {
            Native.register(NativeLibrary.getInstance("c"));
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static native int gettid();

    private static native int setpriority(int which, int who, int prio);

    /**
     * Sets the calling thread's nice value (higher: lower priority; raising it needs no
     * privilege). Best effort: false when it could not be set, and nothing else changes.
     */
    public static boolean setForCallingThread(int nice) {
        return AVAILABLE && setpriority(PRIO_PROCESS, gettid(), nice) == 0;
    }
}
