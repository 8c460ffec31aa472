package dev.syscage.kernel;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.bpf.SeccompData;
import java.util.ArrayList;
import java.util.List;

/**
 * One call for syscage-probe: the ABI it is made through, the number and up to six arguments.
 * An argument is a number or, for calls that need memory, a probe token: {@code str:TEXT}
 * (text plus NUL) or {@code mem:HEX} (bytes), which the probe replaces by an address below 4 GiB.
 */
record ProbeCase(Abi abi, int nr, List<String> args) {

    /** How the probe enters the kernel, and the AUDIT_ARCH value the kernel reports for it. */
    enum Abi {
        /** The {@code syscall} instruction: AUDIT_ARCH_X86_64, also for x32 numbers. */
        X86_64("64", Arch.X86_64),
        /** {@code int $0x80} from the 64-bit probe: AUDIT_ARCH_I386. */
        I386("32", Arch.I386);

        final String token;
        final Arch arch;

        Abi(String token, Arch arch) {
            this.token = token;
            this.arch = arch;
        }
    }

    ProbeCase {
        if (args.size() > 6) {
            throw new IllegalArgumentException("at most 6 arguments, got " + args.size());
        }
        args = List.copyOf(args);
    }

    /** Numbers are written in hex; strings are probe tokens ({@code str:...}, {@code mem:...}). */
    static ProbeCase of(Abi abi, int nr, Object... args) {
        List<String> tokens = new ArrayList<>();
        for (Object a : args) {
            tokens.add(a instanceof String s ? s : "0x" + Long.toHexString(((Number) a).longValue()));
        }
        return new ProbeCase(abi, nr, tokens);
    }

    /**
     * The case that makes the kernel build exactly {@code d}, or null when this machine cannot
     * issue it (an arch other than x86_64 and i386). The instruction pointer is not
     * controllable; policies do not look at it. For i386 the full 64-bit values go into the
     * registers: the kernel copies them into seccomp_data unchanged (see ProbeTest).
     */
    static ProbeCase forData(SeccompData d) {
        for (Abi abi : Abi.values()) {
            if (abi.arch.auditArch() == d.arch()) {
                Object[] args = new Object[6];
                for (int i = 0; i < 6; i++) {
                    args[i] = d.arg(i);
                }
                return of(abi, d.nr(), args);
            }
        }
        return null;
    }

    /** The seccomp_data the kernel builds for this case; only for numeric arguments. */
    SeccompData data() {
        long[] values = new long[6];
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("0x")) {
                throw new IllegalStateException("argument " + i + " is a memory token: " + a);
            }
            values[i] = Long.parseUnsignedLong(a.substring(2), 16);
        }
        return new SeccompData(nr, abi.arch.auditArch(), 0, values);
    }

    /** The input line for the probe. */
    String line() {
        StringBuilder sb = new StringBuilder(abi.token).append(' ').append(nr);
        for (String a : args) {
            sb.append(' ').append(a);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return line();
    }
}
