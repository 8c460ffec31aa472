package dev.syscage.policy.bpf;

/**
 * One reason the kernel would refuse a filter, at the instruction where it is found. {@code pc}
 * is {@link #PROGRAM} for faults of the whole program (its length).
 */
public record VerifierError(int pc, String message) {

    /** The pc of errors that belong to the program as a whole rather than one instruction. */
    public static final int PROGRAM = -1;

    /** {@code pc 12: jump target 300 is past the end (length 40)}, or the bare message. */
    public String render() {
        return pc == PROGRAM ? message : "pc " + pc + ": " + message;
    }

    @Override
    public String toString() {
        return render();
    }
}
