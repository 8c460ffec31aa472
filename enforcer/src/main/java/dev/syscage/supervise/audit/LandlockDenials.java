package dev.syscage.supervise.audit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts Landlock's denials together from the kernel's audit records, as they arrive from the
 * netlink socket (no kernel needed: the tests feed it text). The records of one event share a
 * serial and come in this order: {@code LANDLOCK_ACCESS} (one per denial), {@code LANDLOCK_DOMAIN
 * status=allocated} (with the domain's first denial), then at the end of the system call
 * {@code SYSCALL}, {@code PROCTITLE} and {@code EOE}. Records of other events may come in between.
 * An event is complete at its {@code EOE}; one without a system call context gets none, so an
 * event waits at most {@link #MAX_WAIT_NANOS} before it is given out as it is. Domains are
 * remembered for the run (one small entry each); {@code status=deallocated} records say how many
 * denials a domain had.
 *
 * <p>Not thread-safe: one reader thread feeds it.
 */
public final class LandlockDenials {
    public static final int AUDIT_SYSCALL = 1300;
    public static final int AUDIT_EOE = 1320;
    public static final int AUDIT_LANDLOCK_ACCESS = 1423;
    public static final int AUDIT_LANDLOCK_DOMAIN = 1424;
    /** How long an event's records wait for the rest of it. */
    public static final long MAX_WAIT_NANOS = 2_000_000_000L;
    /** At most this many events are held; past it the oldest is given out as it is. */
    static final int MAX_PENDING = 4096;

    private static final class Pending {
        final long arrivedNanos;
        final List<KernelAuditText> accesses = new ArrayList<>();
        KernelAuditText syscall;

        Pending(long arrivedNanos) {
            this.arrivedNanos = arrivedNanos;
        }
    }

    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private final Map<String, LandlockDenial.Domain> domains = new HashMap<>();
    private final Map<String, Long> deallocated = new HashMap<>();

    /**
     * Takes one record; gives out the denials it completes (and those that waited too long).
     *
     * @param nowNanos a monotonic clock's reading, for how long events wait
     */
    public List<LandlockDenial> accept(int type, String text, long nowNanos) {
        List<LandlockDenial> out = new ArrayList<>();
        if (type == AUDIT_LANDLOCK_ACCESS
                || type == AUDIT_LANDLOCK_DOMAIN
                || type == AUDIT_SYSCALL
                || type == AUDIT_EOE) {
            KernelAuditText.parse(text).ifPresent(r -> take(type, r, nowNanos, out));
        }
        out.addAll(expire(nowNanos));
        return out;
    }

    private void take(int type, KernelAuditText r, long nowNanos, List<LandlockDenial> out) {
        switch (type) {
            case AUDIT_LANDLOCK_ACCESS -> {
                if (r.field("domain").isPresent()) {
                    pending.computeIfAbsent(r.serial(), s -> new Pending(nowNanos))
                            .accesses
                            .add(r);
                    if (pending.size() > MAX_PENDING) {
                        Iterator<Map.Entry<Long, Pending>> it =
                                pending.entrySet().iterator();
                        Map.Entry<Long, Pending> oldest = it.next();
                        it.remove();
                        out.addAll(complete(oldest.getValue()));
                    }
                }
            }
            case AUDIT_LANDLOCK_DOMAIN -> domainRecord(r);
            case AUDIT_SYSCALL -> {
                Pending p = pending.get(r.serial());
                if (p != null) {
                    p.syscall = r;
                }
            }
            case AUDIT_EOE -> {
                Pending p = pending.remove(r.serial());
                if (p != null) {
                    out.addAll(complete(p));
                }
            }
            default -> {}
        }
    }

    private void domainRecord(KernelAuditText r) {
        Optional<String> id = r.field("domain");
        Optional<String> status = r.field("status");
        if (id.isEmpty() || status.isEmpty()) {
            return;
        }
        if (status.get().equals("allocated")) {
            domains.put(
                    id.get(),
                    new LandlockDenial.Domain(
                            id.get(),
                            intField(r, "pid"),
                            intField(r, "uid"),
                            r.field("exe").orElse(null),
                            r.field("comm").orElse(null)));
        } else if (status.get().equals("deallocated")) {
            deallocated.put(
                    id.get(), r.field("denials").map(LandlockDenials::parseLong).orElse(-1L));
        }
    }

    /** Events that have waited {@link #MAX_WAIT_NANOS} for their end, given out as they are. */
    public List<LandlockDenial> expire(long nowNanos) {
        List<LandlockDenial> out = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowNanos - p.arrivedNanos < MAX_WAIT_NANOS) {
                break; // in arrival order
            }
            it.remove();
            out.addAll(complete(p));
        }
        return out;
    }

    /** Every event still waiting, given out as it is (at the end of a run). */
    public List<LandlockDenial> flush() {
        List<LandlockDenial> out = new ArrayList<>();
        pending.values().forEach(p -> out.addAll(complete(p)));
        pending.clear();
        return out;
    }

    /** The domain, if its {@code status=allocated} record was seen. */
    public Optional<LandlockDenial.Domain> domain(String id) {
        return Optional.ofNullable(domains.get(id));
    }

    /** The domain's {@code denials=} count, once its {@code status=deallocated} record was seen. */
    public Optional<Long> deallocated(String id) {
        return Optional.ofNullable(deallocated.get(id));
    }

    /** Whether records of events are still waiting for their end. */
    public boolean hasPending() {
        return !pending.isEmpty();
    }

    private List<LandlockDenial> complete(Pending p) {
        LandlockDenial.Call call = p.syscall == null ? null : call(p.syscall);
        List<LandlockDenial> out = new ArrayList<>(p.accesses.size());
        for (KernelAuditText a : p.accesses) {
            String domain = a.fields().get("domain");
            List<String> blockers =
                    a.field("blockers").map(b -> List.of(b.split(","))).orElse(List.of());
            List<Map.Entry<String, String>> object = new ArrayList<>();
            a.fields().forEach((k, v) -> {
                if (!k.equals("domain") && !k.equals("blockers")) {
                    object.add(Map.entry(k, v));
                }
            });
            out.add(new LandlockDenial(
                    a.epochMillis(), a.serial(), domain, blockers, object, call, domains.get(domain)));
        }
        return out;
    }

    private static LandlockDenial.Call call(KernelAuditText s) {
        long[] args = new long[4];
        for (int i = 0; i < 4; i++) {
            args[i] = s.field("a" + i).map(v -> parseUnsignedHex(v)).orElse(0L);
        }
        return new LandlockDenial.Call(
                (int) s.field("arch")
                        .map(LandlockDenials::parseUnsignedHex)
                        .orElse(0L)
                        .longValue(),
                intField(s, "syscall"),
                s.field("exit").map(LandlockDenials::parseLong).orElse(null),
                intField(s, "pid"),
                intField(s, "ppid"),
                intField(s, "uid"),
                s.field("comm").orElse(null),
                s.field("exe").orElse(null),
                args);
    }

    private static int intField(KernelAuditText r, String key) {
        Long v = r.field(key).map(LandlockDenials::parseLong).orElse(null);
        return v == null || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? -1 : v.intValue();
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long parseUnsignedHex(String s) {
        try {
            return Long.parseUnsignedLong(s, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
