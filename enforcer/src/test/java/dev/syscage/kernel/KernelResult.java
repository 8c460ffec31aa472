package dev.syscage.kernel;

/**
 * What the kernel did with one probe case, parsed from the probe's output line:
 * {@code ret N}, {@code errno N}, {@code trap DATA NR ARCH}, {@code signal N} or {@code exit N}.
 */
record KernelResult(Kind kind, long value, int trapNr, int trapArch) {

    enum Kind {
        RET,
        ERRNO,
        TRAP,
        SIGNAL,
        EXIT
    }

    static final int SIGSYS = 31;

    static KernelResult parse(String line) {
        String[] f = line.trim().split(" ");
        try {
            Kind kind = Kind.valueOf(f[0].toUpperCase(java.util.Locale.ROOT));
            long value = Long.parseLong(f[1]);
            if (kind == Kind.TRAP) {
                return new KernelResult(
                        kind, value, Integer.parseInt(f[2]), Integer.parseUnsignedInt(f[3].substring(2), 16));
            }
            return new KernelResult(kind, value, 0, 0);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a probe result: '" + line + "'", e);
        }
    }

    static KernelResult errno(int errno) {
        return new KernelResult(Kind.ERRNO, errno, 0, 0);
    }

    static KernelResult killed(int signal) {
        return new KernelResult(Kind.SIGNAL, signal, 0, 0);
    }

    boolean isErrno(int errno) {
        return kind == Kind.ERRNO && value == errno;
    }

    /** The call ran (or was made to "succeed" by errno 0) and returned a non-error value. */
    boolean returned() {
        return kind == Kind.RET;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TRAP -> String.format("trap %d %d 0x%x", value, trapNr, trapArch);
            default -> kind.name().toLowerCase(java.util.Locale.ROOT) + " " + value;
        };
    }
}
