package dev.syscage.learn;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.regex.Pattern;

/**
 * The arguments {@code learn --args} turns into conditions: the ones whose values are stable
 * from run to run and say what a call is for (a socket's address family, an ioctl's request, a
 * prctl's option). Each names its parameter as policies do, which register holds it, and how to
 * name a value: the constant whose name fits the argument and whose value no other such
 * constant shares, else the number.
 */
public enum ArgRule {
    SOCKET("socket", "domain", 0, Pattern.compile("AF_(?!LOCAL$|ROUTE$|MAX$)[A-Za-z0-9_]+")),
    IOCTL(
            "ioctl",
            "request",
            1,
            Pattern.compile("(TC|TIOC|FIO|SIOC|BLK|FS_IOC_|FICLONE|NS_GET_|SECCOMP_IOCTL_)[A-Z0-9_]*")),
    PRCTL(
            "prctl",
            "option",
            0,
            Pattern.compile(
                    "PR_(GET|SET)_(?!MM_|VMA_)[A-Z0-9_]+|PR_CAPBSET_[A-Z]+|PR_TASK_PERF_EVENTS_[A-Z]+|PR_MCE_KILL(_GET)?"
                            + "|PR_CAP_AMBIENT|PR_SCHED_CORE|PR_(SVE|SME)_(GET|SET)_VL"));

    private final String syscall;
    private final String param;
    private final int register;
    private final Pattern names;

    ArgRule(String syscall, String param, int register, Pattern names) {
        this.syscall = syscall;
        this.param = param;
        this.register = register;
        this.names = names;
    }

    public String syscall() {
        return syscall;
    }

    public String param() {
        return param;
    }

    /** The argument's value as the syscall sees it: all three are 32-bit (int or unsigned int). */
    public long value(long[] args) {
        return args[register] & 0xffff_ffffL;
    }

    public static Optional<ArgRule> forSyscall(String name) {
        for (ArgRule r : values()) {
            if (r.syscall.equals(name)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** {@code domain in {AF_UNIX, AF_INET}} for the values seen. */
    public String condition(Arch arch, SortedSet<Long> seen) {
        List<String> parts = new ArrayList<>();
        for (long v : seen) {
            parts.add(name(arch, v));
        }
        return param + " in {" + String.join(", ", parts) + "}";
    }

    /** The one constant of this argument's kind with value {@code v}, or the number (hex above 255). */
    String name(Arch arch, long v) {
        Constants c = Constants.of(arch);
        String found = null;
        for (String n : c.names()) {
            if (names.matcher(n).matches() && (c.value(n).getAsLong() & 0xffff_ffffL) == v) {
                if (found != null) {
                    return number(v);
                }
                found = n;
            }
        }
        return found != null ? found : number(v);
    }

    private static String number(long v) {
        return v > 255 ? "0x" + Long.toHexString(v) : Long.toString(v);
    }
}
