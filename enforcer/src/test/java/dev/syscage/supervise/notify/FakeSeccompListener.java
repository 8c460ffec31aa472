package dev.syscage.supervise.notify;

import static dev.syscage.nativeaccess.SeccompNotify.*;

import dev.syscage.nativeaccess.NotifyFastPath;
import dev.syscage.nativeaccess.SeccompListener;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener without a kernel: delivers the notifications it was given, in order, then hangs up
 * (RECV fails with ENOENT, poll reports POLLHUP, as Linux 6.6+ does once no process uses the
 * filter); remembers every answer; answers SEND, ID_VALID and ADDFD as it was told per call id.
 */
final class FakeSeccompListener implements SeccompListener {
    static final int AUDIT_ARCH_X86_64 = 0xc000003e;

    /** One SEND: what the supervisor answered. */
    record Sent(long id, int error, int flags) {}

    /** One ADDFD. */
    record Added(long id, int srcFd, int newFdFlags, int flags) {}

    private final ByteBuffer notif = ByteBuffer.allocate(NOTIF_SIZE).order(ByteOrder.nativeOrder());
    private final Deque<long[]> pending = new ArrayDeque<>();
    final List<Sent> sent = new ArrayList<>();
    final List<Added> added = new ArrayList<>();
    /** Per call id: what SEND, ID_VALID or ADDFD return instead of success (a queue: first call first). */
    final Map<Long, Deque<Integer>> sendErrors = new HashMap<>();

    final Map<Long, Deque<Integer>> addFdResults = new HashMap<>();
    final Map<Long, Integer> idValidResult = new HashMap<>();
    int recvCalls;

    /** Queues a call {@code nr} (x86_64) of thread {@code tid} with id {@code id}. */
    FakeSeccompListener deliver(long id, int tid, int nr, long... args) {
        long[] n = new long[3 + 6];
        n[0] = id;
        n[1] = tid;
        n[2] = nr;
        System.arraycopy(args, 0, n, 3, args.length);
        pending.add(n);
        return this;
    }

    @Override
    public ByteBuffer notification() {
        return notif;
    }

    @Override
    public int setFlags(long flags) {
        return 0; // as Linux 6.6+: SYNC_WAKE_UP accepted, the thread waits in RECV
    }

    @Override
    public int recv() {
        recvCalls++;
        long[] n = pending.poll();
        if (n == null) {
            return -ENOENT; // no process uses the filter any more
        }
        for (int i = 0; i < notif.capacity(); i++) {
            notif.put(i, (byte) 0);
        }
        notif.putLong(NOTIF_ID, n[0]);
        notif.putInt(NOTIF_PID, (int) n[1]);
        notif.putInt(NOTIF_DATA_NR, (int) n[2]);
        notif.putInt(NOTIF_DATA_ARCH, AUDIT_ARCH_X86_64);
        notif.putLong(NOTIF_DATA_IP, 0x1000);
        for (int i = 0; i < 6; i++) {
            notif.putLong(NOTIF_DATA_ARGS + 8 * i, n[3 + i]);
        }
        return 0;
    }

    @Override
    public int send(long id, int error, int flags) {
        Deque<Integer> errors = sendErrors.get(id);
        Integer r = errors == null ? null : errors.poll();
        if (r != null) {
            return r;
        }
        sent.add(new Sent(id, error, flags));
        return 0;
    }

    @Override
    public int idValid(long id) {
        return idValidResult.getOrDefault(id, 0);
    }

    @Override
    public int addFd(long id, int srcFd, int newFdFlags, int flags) {
        added.add(new Added(id, srcFd, newFdFlags, flags));
        Deque<Integer> results = addFdResults.get(id);
        Integer r = results == null ? null : results.poll();
        return r == null ? 3 : r;
    }

    @Override
    public int poll(short events, int timeoutMs) {
        return pending.isEmpty() ? POLLHUP : POLLIN;
    }

    @Override
    public int next(NotifyFastPath fastPath, NotifyFastPath.Table table, int maxFast) {
        throw new UnsupportedOperationException("no native loop without a kernel");
    }

    @Override
    public SeccompListener forThread() {
        return this;
    }
}
