package dev.syscage.policy.isolate;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A namespace a policy's {@code isolate:} section may ask for, beyond the PID and mount
 * namespaces every contained run gets. Each is written in the policy as its {@link #word()}.
 */
public enum Namespace {
    /** A network namespace: only a loopback interface, no route out. */
    NET("net"),
    /** An IPC namespace: System V IPC objects and POSIX message queues of its own. */
    IPC("ipc"),
    /** A UTS namespace: a host and domain name of its own. */
    UTS("uts");

    private final String word;

    Namespace(String word) {
        this.word = word;
    }

    /** The name in a policy and on the launcher's command line ({@code --unshare net,ipc}). */
    public String word() {
        return word;
    }

    public static Optional<Namespace> byWord(String word) {
        return Arrays.stream(values()).filter(n -> n.word.equals(word)).findFirst();
    }

    /** Every word, in declaration order. */
    public static List<String> words() {
        return Arrays.stream(values()).map(Namespace::word).toList();
    }
}
