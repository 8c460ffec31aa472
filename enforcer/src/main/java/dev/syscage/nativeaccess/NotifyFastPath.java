package dev.syscage.nativeaccess;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code libsyscage-notify.so} (native/notify), direct-mapped: the notify supervisor's receive
 * loop for the calls whose answer the policy fixes by number alone. It answers those itself
 * (CONTINUE or an errno) and returns to Java only for a call that needs Java, so they cost no
 * transition into the JVM. The library is looked for beside the launcher; without it the
 * supervisor receives every call in Java, with the same answers.
 */
public final class NotifyFastPath {
    public static final String LIBRARY = "libsyscage-notify.so";
    /** Architecture slots in the table (x86_64 and i386 on x86_64). */
    public static final int ARCHES = 2;
    /** struct sc_table: u32 arches[2]; u32 nrs; u32 touched_len; answers*; counts*; touched*; u64 fast. */
    public static final int TABLE_ARCHES = 0;

    public static final int TABLE_NRS = 8;
    public static final int TABLE_TOUCHED_LEN = 12;
    public static final int TABLE_ANSWERS = 16;
    public static final int TABLE_COUNTS = 24;
    public static final int TABLE_TOUCHED = 32;
    public static final int TABLE_FAST = 40;
    public static final int TABLE_SIZE = 48;
    /** An answer: CONTINUE, or ERRNO | errno; 0 asks Java. */
    public static final int CONTINUE = 0x10000;

    public static final int ERRNO = 0x20000;
    /** {@link #next} results besides a negative errno. */
    public static final int ASK = 1;

    public static final int BATCH = 2;

    private static final int ABI = TABLE_SIZE << 8 | ARCHES;
    private static Optional<NotifyFastPath> loaded;

    private NotifyFastPath() {}

    /**
     * The library in {@code dir}, loaded once per JVM; empty when it is not there or is not the
     * build this class was written for (then the supervisor does without it).
     */
    public static synchronized Optional<NotifyFastPath> load(Path dir) {
        if (loaded == null) {
            Path file = dir.resolve(LIBRARY);
            loaded = Optional.empty();
            if (Files.isRegularFile(file)) {
                try {
                    Native.register(NotifyFastPath.class, NativeLibrary.getInstance(file.toString()));
                    if (syscage_notify_abi() == ABI) {
                        loaded = Optional.of(new NotifyFastPath());
                    }
                } catch (LinkageError e) { // missing or not ours
                    loaded = Optional.empty();
                }
            }
        }
        return loaded;
    }

    /**
     * Receives into {@code notif} (zeroed before each RECV) and answers the calls {@code table}
     * fixes, until one needs Java ({@link #ASK}, {@code notif} holds it) or {@code maxFast} were
     * answered ({@link #BATCH}). A negative result is the errno of a failed RECV or SEND
     * ({@code -EINTR}, {@code -ENOENT}: interrupted, or the caller went away).
     */
    public int next(int listener, long notif, long notifSize, long table, int maxFast) {
        return syscage_notify_next(listener, notif, notifSize, table, maxFast);
    }

    private static native int syscage_notify_next(int listener, long req, long reqSize, long table, int maxFast);

    private static native int syscage_notify_abi();

    /**
     * struct sc_table and the arrays it points to, in native memory allocated once and zeroed:
     * per architecture slot and syscall number, the answer (u32), the count of calls answered
     * (u64) and the list of touched entries (u32). Written and read through the views.
     */
    public static final class Table {
        private final Memory header = new Memory(TABLE_SIZE);
        private final Memory answers;
        private final Memory counts;
        private final Memory touched;

        /** @param nrs syscall numbers covered per architecture slot */
        public Table(int[] auditArches, int nrs) {
            answers = zeroed(4L * ARCHES * nrs);
            counts = zeroed(8L * ARCHES * nrs);
            touched = zeroed(4L * ARCHES * nrs);
            header.clear();
            ByteBuffer h = header();
            for (int slot = 0; slot < ARCHES; slot++) {
                h.putInt(TABLE_ARCHES + 4 * slot, auditArches[slot]);
            }
            h.putInt(TABLE_NRS, nrs);
            h.putLong(TABLE_ANSWERS, Pointer.nativeValue(answers));
            h.putLong(TABLE_COUNTS, Pointer.nativeValue(counts));
            h.putLong(TABLE_TOUCHED, Pointer.nativeValue(touched));
        }

        private static Memory zeroed(long size) {
            Memory m = new Memory(size);
            m.clear();
            return m;
        }

        private static ByteBuffer view(Memory m) {
            return m.getByteBuffer(0, m.size()).order(ByteOrder.nativeOrder());
        }

        /** struct sc_table itself ({@link #TABLE_FAST}, {@link #TABLE_TOUCHED_LEN}, ...). */
        public ByteBuffer header() {
            return view(header);
        }

        /** The answers, a u32 per (slot, number). */
        public ByteBuffer answers() {
            return view(answers);
        }

        /** The counts, a u64 per (slot, number). */
        public ByteBuffer counts() {
            return view(counts);
        }

        /** The indexes of the entries whose count changed, {@link #TABLE_TOUCHED_LEN} of them. */
        public ByteBuffer touched() {
            return view(touched);
        }

        long address() {
            return Pointer.nativeValue(header);
        }
    }
}
