package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;

/**
 * The classes behind {@link FileCalls} and {@link SeccompListener}, errors included: a thread
 * that may not read the class path (one restricted by Landlock) can make those calls only once
 * these are loaded, so the thread that makes such a thread loads them first.
 */
public final class NotifyCallClasses {
    private NotifyCallClasses() {}

    /** Loaded and initialised on return. */
    public static Class<?>[] load() {
        Class<?>[] classes = {
            LastErrorException.class,
            SeccompNotify.class,
            JnaFileCalls.class,
            JnaSeccompListener.class,
            JnaLinuxCLibrary.class
        };
        for (Class<?> c : classes) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        return classes;
    }
}
