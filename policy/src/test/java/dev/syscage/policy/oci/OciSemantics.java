package dev.syscage.policy.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.model.Action;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An independent reading of an OCI seccomp profile, for testing the importer: what Docker
 * (moby profiles/seccomp: includes/excludes against the host, capabilities and kernel), runc
 * (libcontainer/seccomp: action mapping, entries with the default action skipped, the ENOSYS
 * stub for syscalls above the highest named one) and libseccomp (src/db.c: the first
 * unconditional rule of a syscall wins, conditional rules are ORed, 64-bit comparisons, datum
 * masked for MASKED_EQ, 32-bit arches compare the low halves) do with one syscall. It reads the
 * JSON itself and shares no code with the importer. Where the spec and runc disagree
 * (comparisons sharing an argument) it follows runc (libcontainer/seccomp matchCall): when two
 * comparisons of an entry test one argument, each comparison is a libseccomp rule of its own.
 */
final class OciSemantics {
    private static final int X32_BIT = 0x40000000;

    private record Cmp(int index, String op, long a, long b) {}

    private record Rule(Action action, List<Cmp> cmps) {}

    private final List<Arch> arches;
    private final Action defaultAction;
    private final boolean stub;
    private final Map<Arch, Map<Integer, List<Rule>>> rules = new EnumMap<>(Arch.class);
    private final Map<Arch, Integer> maxNamed = new EnumMap<>(Arch.class);

    OciSemantics(String json, Arch host, List<Arch> arches, Set<String> caps, String kernel, boolean runcStub) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.arches = List.copyOf(arches);
        String def = root.get("defaultAction").asText();
        this.defaultAction = action(def, root.get("defaultErrnoRet"));
        this.stub = runcStub
                && !Set.of("SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_TRACE").contains(def);
        String hostName = switch (host) {
            case X86_64 -> "amd64";
            case AARCH64 -> "arm64";
            case I386 -> "x86";
        };
        for (Arch a : arches) {
            rules.put(a, new HashMap<>());
        }
        JsonNode calls = root.get("syscalls");
        for (int i = 0; calls != null && i < calls.size(); i++) {
            JsonNode e = calls.get(i);
            if (dockerKeeps(e, hostName, caps, kernel)) {
                add(e);
            }
        }
    }

    /** What the filter returns for this call. Throws when libseccomp's answer depends on its rule tree. */
    Action decide(SeccompData d) {
        Arch a = Arch.byAuditArch(d.arch()).filter(arches::contains).orElse(null);
        if (a == null) {
            return Action.KILL_THREAD;
        }
        int nr = d.nr();
        if (a == Arch.X86_64 && Integer.compareUnsigned(nr, X32_BIT) >= 0) {
            return Action.KILL_THREAD;
        }
        if (stubbed(a, nr)) {
            return Action.errno(38);
        }
        List<Rule> list = rules.get(a).getOrDefault(nr, List.of());
        for (Rule r : list) {
            if (r.cmps().stream().allMatch(c -> skipped(c, a))) {
                return r.action();
            }
        }
        Set<Action> matched = new LinkedHashSet<>();
        for (Rule r : list) {
            if (r.cmps().stream().allMatch(c -> matches(c, d.arg(c.index()), a))) {
                matched.add(r.action());
            }
        }
        if (matched.size() > 1) {
            throw new IllegalStateException("libseccomp's choice is undefined here: " + matched + " for " + d);
        }
        return matched.isEmpty() ? defaultAction : matched.iterator().next();
    }

    /** Whether runc's stub answers this number with ENOSYS on {@code a} (above the highest named syscall). */
    boolean stubbed(Arch a, int nr) {
        Integer max = maxNamed.get(a);
        return stub && max != null && Integer.compareUnsigned(nr, max) > 0;
    }

    Action defaultAction() {
        return defaultAction;
    }

    private void add(JsonNode e) {
        Action act = action(e.get("action").asText(), e.get("errnoRet"));
        List<String> names = new ArrayList<>();
        if (e.hasNonNull("name")) {
            names.add(e.get("name").asText());
        }
        if (e.hasNonNull("names")) {
            e.get("names").forEach(n -> names.add(n.asText()));
        }
        List<Cmp> cmps = new ArrayList<>();
        if (e.hasNonNull("args")) {
            for (JsonNode a : e.get("args")) {
                cmps.add(new Cmp(
                        a.get("index").asInt(), a.get("op").asText(), u64(a.get("value")), u64(a.get("valueTwo"))));
            }
        }
        for (Arch a : arches) {
            SyscallTable t = SyscallTable.of(a);
            for (String n : names) {
                t.byName(n).ifPresent(s -> {
                    maxNamed.merge(a, s.nr(), Math::max);
                    if (!act.equals(defaultAction)) {
                        List<Rule> list = rules.get(a).computeIfAbsent(s.nr(), k -> new ArrayList<>());
                        boolean shared =
                                cmps.stream().map(Cmp::index).distinct().count() < cmps.size();
                        if (shared) {
                            cmps.forEach(c -> list.add(new Rule(act, List.of(c))));
                        } else {
                            list.add(new Rule(act, cmps));
                        }
                    }
                });
            }
        }
    }

    static boolean dockerKeeps(JsonNode e, String host, Set<String> caps, String kernel) {
        JsonNode ex = e.get("excludes");
        if (ex != null && !ex.isNull()) {
            if (strings(ex.get("arches")).contains(host)) {
                return false;
            }
            if (strings(ex.get("caps")).stream().anyMatch(caps::contains)) {
                return false;
            }
            if (ex.hasNonNull("minKernel")
                    && compareKernel(kernel, ex.get("minKernel").asText()) >= 0) {
                return false;
            }
        }
        JsonNode in = e.get("includes");
        if (in != null && !in.isNull()) {
            List<String> arches = strings(in.get("arches"));
            if (!arches.isEmpty() && !arches.contains(host)) {
                return false;
            }
            if (!caps.containsAll(strings(in.get("caps")))) {
                return false;
            }
            return !in.hasNonNull("minKernel")
                    || compareKernel(kernel, in.get("minKernel").asText()) >= 0;
        }
        return true;
    }

    /** libseccomp leaves out a MASKED_EQ with no mask bits in the architecture's registers. */
    private static boolean skipped(Cmp c, Arch a) {
        return c.op().equals("SCMP_CMP_MASKED_EQ") && (c.a() & regMask(a)) == 0;
    }

    private static boolean matches(Cmp c, long raw, Arch a) {
        long reg = regMask(a);
        long x = raw & reg;
        long v = c.a() & reg;
        return switch (c.op()) {
            case "SCMP_CMP_EQ" -> x == v;
            case "SCMP_CMP_NE" -> x != v;
            case "SCMP_CMP_LT" -> Long.compareUnsigned(x, v) < 0;
            case "SCMP_CMP_LE" -> Long.compareUnsigned(x, v) <= 0;
            case "SCMP_CMP_GT" -> Long.compareUnsigned(x, v) > 0;
            case "SCMP_CMP_GE" -> Long.compareUnsigned(x, v) >= 0;
            case "SCMP_CMP_MASKED_EQ" -> (x & v) == (c.b() & v & reg);
            default -> throw new IllegalArgumentException(c.op());
        };
    }

    private static long regMask(Arch a) {
        return a.registerBits() == 64 ? -1L : 0xFFFFFFFFL;
    }

    private static Action action(String name, JsonNode errnoRet) {
        int data = errnoRet == null || errnoRet.isNull() ? 1 : errnoRet.asInt();
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> Action.KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> Action.KILL;
            case "SCMP_ACT_TRAP" -> Action.trap(0);
            case "SCMP_ACT_ERRNO" -> Action.errno(data);
            case "SCMP_ACT_TRACE" -> Action.trace(data);
            case "SCMP_ACT_ALLOW" -> Action.ALLOW;
            case "SCMP_ACT_LOG" -> Action.LOG;
            case "SCMP_ACT_NOTIFY" -> Action.NOTIFY;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static long u64(JsonNode n) {
        return n == null || n.isNull() ? 0 : n.bigIntegerValue().longValue();
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && !n.isNull()) {
            n.forEach(x -> out.add(x.asText()));
        }
        return out;
    }

    /** Compares "major.minor[.patch]" prefixes numerically, as Docker's kernel.CompareKernelVersion does. */
    private static int compareKernel(String a, String b) {
        int[] x = kernel(a);
        int[] y = kernel(b);
        for (int i = 0; i < 3; i++) {
            if (x[i] != y[i]) {
                return Integer.compare(x[i], y[i]);
            }
        }
        return 0;
    }

    private static int[] kernel(String s) {
        int[] v = new int[3];
        String[] parts = s.split("[^0-9]+");
        for (int i = 0; i < 3 && i < parts.length; i++) {
            v[i] = parts[i].isEmpty() ? 0 : Integer.parseInt(parts[i]);
        }
        return v;
    }
}
