package dev.syscage.policy.bpf;

import java.util.Arrays;

/**
 * The input of a seccomp filter, {@code struct seccomp_data}: syscall number, AUDIT_ARCH value,
 * instruction pointer and six 64-bit arguments.
 */
public record SeccompData(int nr, int arch, long instructionPointer, long[] args) {

    public SeccompData {
        if (args.length != 6) {
            throw new IllegalArgumentException("seccomp_data has 6 arguments, got " + args.length);
        }
        args = args.clone();
    }

    public static SeccompData of(int nr, int arch, long... args) {
        return new SeccompData(nr, arch, 0, Arrays.copyOf(args, 6));
    }

    public long arg(int i) {
        return args[i];
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    /** The 32-bit word at byte {@code offset}, as a BPF_LD|BPF_W|BPF_ABS would load it. */
    public int word(int offset) {
        if (offset == Bpf.SECCOMP_DATA_NR) {
            return nr;
        }
        if (offset == Bpf.SECCOMP_DATA_ARCH) {
            return arch;
        }
        long v;
        int rel;
        if (offset >= Bpf.SECCOMP_DATA_ARGS) {
            v = args[(offset - Bpf.SECCOMP_DATA_ARGS) / 8];
            rel = (offset - Bpf.SECCOMP_DATA_ARGS) % 8;
        } else {
            v = instructionPointer;
            rel = offset - Bpf.SECCOMP_DATA_IP;
        }
        return rel == 0 ? (int) v : (int) (v >>> 32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompData d
                && d.nr == nr
                && d.arch == arch
                && d.instructionPointer == instructionPointer
                && Arrays.equals(d.args, args);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * nr + arch) + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{nr=")
                .append(nr)
                .append(", arch=0x")
                .append(Integer.toHexString(arch))
                .append(", ip=0x")
                .append(Long.toHexString(instructionPointer))
                .append(", args=[");
        for (int i = 0; i < 6; i++) {
            sb.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(args[i]));
        }
        return sb.append("]}").toString();
    }
}
