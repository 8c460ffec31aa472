package dev.syscage.policy.bpf;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown by {@link Verifier#check} when a program would be refused by the kernel; the message
 * lists every error, one a line, so nothing has to be fixed blind.
 */
public class ProgramVerificationException extends RuntimeException {
    private final List<VerifierError> errors;

    public ProgramVerificationException(List<VerifierError> errors) {
        super(message(errors));
        this.errors = List.copyOf(errors);
    }

    public List<VerifierError> errors() {
        return errors;
    }

    private static String message(List<VerifierError> errors) {
        String header = errors.size() == 1
                ? "the kernel would reject this filter:"
                : "the kernel would reject this filter (" + errors.size() + " errors):";
        return errors.stream().map(e -> "  " + e.render()).collect(Collectors.joining("\n", header + "\n", ""));
    }
}
