package dev.syscage.policy.export;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.bpf.SeccompData;
import dev.syscage.policy.eval.Decision;
import dev.syscage.policy.eval.ReferenceEvaluator;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.model.ArchPolicy;
import dev.syscage.policy.model.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an OCI runtime does itself after installing a container's seccomp profile and before the
 * container's program runs, so an exported profile must let it through. runc 1.1
 * ({@code libcontainer/standard_init_linux.go}) opens its exec fifo for writing
 * ({@code openat(AT_FDCWD, "/proc/self/fd/N", O_WRONLY|O_CLOEXEC)}), writes one byte to it, closes
 * descriptors and calls {@code execve}; its Go runtime may also call futex, rt_sigprocmask,
 * sched_yield, nanosleep, mmap, munmap, madvise, getpid, tgkill, sigaltstack and rt_sigreturn at
 * any time in between. A profile that denies one of these stops runc's container before it starts
 * ({@code open exec fifo /proc/self/fd/5: permission denied}). crun installs the profile just
 * before {@code execve} (it waits on the exec fifo through a descriptor opened earlier), so only
 * {@code execve} concerns both: {@code OciRuntimeTest} runs a profile denying openat, read, write,
 * close and select in crun 1.8. Export warns, naming the rule and the runtime. Runtimes run as
 * 64-bit programs: only x86_64 and aarch64 are checked. It also warns about {@code errno 4095},
 * which the policy language accepts (the kernel's MAX_ERRNO) but libseccomp refuses (errno values
 * below 4095 only), so the runtime would refuse the profile.
 */
public final class RuntimeLint {
    private static final long AT_FDCWD = -100;
    /** O_WRONLY | O_CLOEXEC, the same on x86_64 and aarch64. */
    private static final long FIFO_FLAGS = 0x1 | 0x80000;

    private static final List<String> GO_RUNTIME = List.of(
            "futex",
            "rt_sigprocmask",
            "sched_yield",
            "nanosleep",
            "mmap",
            "munmap",
            "madvise",
            "getpid",
            "tgkill",
            "sigaltstack",
            "rt_sigreturn");

    private RuntimeLint() {}

    /** One warning per call the runtime needs and the policy denies, starting with the deciding rule's position. */
    public static List<String> check(Policy policy) {
        List<String> out = new ArrayList<>(errnoLibseccompRefuses(policy));
        for (ArchPolicy ap : policy.arches()) {
            Arch a = ap.arch();
            if (a.registerBits() != 64) {
                continue;
            }
            String on = policy.arches().size() > 1 ? " on " + a : "";
            Map<String, long[]> calls = new LinkedHashMap<>();
            calls.put("openat", new long[] {AT_FDCWD, 0, FIFO_FLAGS, 0});
            calls.put("write", new long[] {5, 0, 1});
            calls.put("close", new long[] {5});
            calls.put("execve", new long[] {0, 0, 0});
            for (Map.Entry<String, long[]> c : calls.entrySet()) {
                String who = c.getKey().equals("execve") ? "runc and crun" : "runc";
                denied(policy, ap, c.getKey(), c.getValue())
                        .ifPresent(d -> out.add(where(d) + who + " call"
                                + (who.equals("runc") ? "s " : " ") + show(c.getKey()) + on
                                + " after installing the profile,"
                                + " and the policy answers " + d.action().spelled() + " ("
                                + d.rule().describe() + "): " + who
                                + " would not start the container"));
            }
            List<String> go = new ArrayList<>();
            Decision first = null;
            for (String name : GO_RUNTIME) {
                Optional<Decision> d = denied(policy, ap, name, new long[0]);
                if (d.isPresent()) {
                    go.add(name);
                    first = first == null ? d.get() : first;
                }
            }
            if (!go.isEmpty()) {
                out.add(where(first) + "the policy denies " + String.join(", ", go) + on + ", which runc's Go runtime"
                        + " may call between installing the profile and execve: runc may fail to start the container");
            }
        }
        return out;
    }

    private static List<String> errnoLibseccompRefuses(Policy policy) {
        Map<String, String> byRule = new LinkedHashMap<>();
        for (ArchPolicy ap : policy.arches()) {
            if (refused(ap.defaultAction())) {
                byRule.putIfAbsent(ap.defaultRef().describe(), where(ap.defaultRef()));
            }
            ap.clauses()
                    .values()
                    .forEach(cs -> cs.forEach(c -> {
                        if (refused(c.action())) {
                            byRule.putIfAbsent(c.rule().describe(), where(c.rule()));
                        }
                    }));
        }
        List<String> out = new ArrayList<>();
        byRule.forEach((rule, where) -> out.add(where + rule + " answers errno " + Action.MAX_ERRNO
                + ", which libseccomp"
                + " refuses (it takes errno values below " + Action.MAX_ERRNO + "): runc and crun would not start the"
                + " container"));
        return out;
    }

    private static boolean refused(Action a) {
        return a.kind() == Action.Kind.ERRNO && a.value() >= Action.MAX_ERRNO;
    }

    private static Optional<Decision> denied(Policy policy, ArchPolicy ap, String name, long[] args) {
        Optional<Syscall> s = ap.table().byName(name);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Decision d = ReferenceEvaluator.decide(
                policy, SeccompData.of(s.get().nr(), ap.arch().auditArch(), args));
        Action.Kind k = d.action().kind();
        return k == Action.Kind.ALLOW || k == Action.Kind.LOG ? Optional.empty() : Optional.of(d);
    }

    private static String show(String call) {
        return switch (call) {
            case "openat" -> "openat(AT_FDCWD, \"/proc/self/fd/N\", O_WRONLY|O_CLOEXEC) to open its exec fifo";
            case "write" -> "write(fd, \"0\", 1) on the exec fifo";
            case "close" -> "close";
            default -> call + " to start the container's program";
        };
    }

    private static String where(Decision d) {
        return where(d.rule());
    }

    private static String where(dev.syscage.policy.model.RuleRef r) {
        return r.pos() == null ? "" : r.pos() + ": ";
    }
}
