package dev.syscage.policy.bpf;

/**
 * Thrown by the {@link Interpreter} when a program does something the kernel's verifier would
 * have refused (run off the end, an opcode seccomp does not allow, a bad load). A verified
 * program never throws it.
 */
public class BpfRuntimeException extends RuntimeException {
    private final int pc;

    public BpfRuntimeException(int pc, String message) {
        super("pc " + pc + ": " + message);
        this.pc = pc;
    }

    /** The instruction that failed. */
    public int pc() {
        return pc;
    }
}
