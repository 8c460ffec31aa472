package dev.syscage.policy.input;

/**
 * Every bound syscage puts on what it reads, in one place, so that no input (a policy, what it
 * includes, an OCI profile, a raw BPF file), however large, deep or slow, takes more than a few
 * seconds or the default heap to answer. Each is far above what a real policy needs; hitting
 * one is an error that names it and says where (docs/policy.md, "Limits").
 */
public final class InputLimits {
    private InputLimits() {}

    /**
     * Bytes of policy text: the top file and everything it includes, together. The largest
     * shipped profile is under 10 KiB, an imported Docker profile about 30 KiB; a dense 1 MiB
     * policy (10,000 rules with conditions) took over 10 s on a loaded 2-core machine.
     */
    public static final int MAX_POLICY_BYTES = 512 << 10;

    /** Bytes of an OCI/Docker seccomp profile (JSON) for {@code syscage import}. */
    public static final int MAX_OCI_PROFILE_BYTES = 512 << 10;

    /** Nesting of JSON arrays and objects in an OCI profile (a profile itself needs 5). */
    public static final int MAX_JSON_DEPTH = 32;

    /** Bytes of a {@code compile --frequency} file ("syscall count" lines). */
    public static final int MAX_FREQUENCY_BYTES = 1 << 20;

    /**
     * Bytes of a raw BPF file: the kernel's BPF_MAXINSNS (4096) instructions of 8 bytes. Written
     * out rather than taken from {@code bpf.Bpf}, so that this package stays below the parser
     * and everything else; {@code InputLimitsTest} checks the two agree.
     */
    public static final int MAX_BPF_BYTES = 4096 * 8;

    /** Characters in one line of a policy file. */
    public static final int MAX_LINE_LENGTH = 10_000;

    /** Nesting of YAML lists and maps in a policy file (a policy itself needs 4). */
    public static final int MAX_YAML_DEPTH = 32;

    /** Characters in one {@code when} condition. */
    public static final int MAX_CONDITION_LENGTH = 10_000;

    /** Nesting of parentheses, {@code !} and {@code ~} in one {@code when} condition. */
    public static final int MAX_CONDITION_DEPTH = 64;

    /**
     * Syscall names all rules (and, apart, all supervise rules) of a policy stand for together,
     * each group counted with all its members each time a rule names it: what the validator
     * and compiler work through, per architecture. The shipped default profile names about
     * 1,000; a 1 MiB policy naming {@code "@default"} in 23,000 rules would name 8 million.
     */
    public static final int MAX_RULE_SYSCALLS = 100_000;

    /** Files in one policy: the top file and every file it includes, directly or not. */
    public static final int MAX_POLICY_FILES = 64;

    /** Length of a chain of includes: the top file includes a file that includes a file, ... */
    public static final int MAX_INCLUDE_DEPTH = 16;

    /** Length of a chain of groups naming groups: {@code @a} names {@code @b}, which names ... */
    public static final int MAX_GROUP_DEPTH = 32;

    /**
     * Seconds to wait for the whole of an input that is not a regular file (a pipe, a FIFO, a
     * device) to arrive: {@code <(generator)} works, a FIFO nobody writes to is an error.
     */
    public static final int MAX_WAIT_SECONDS = 2;

    /** A byte limit as people write it: {@code 1 MiB}, {@code 32 KiB}. */
    public static String bytes(int limit) {
        if (limit % (1 << 20) == 0) {
            return limit / (1 << 20) + " MiB";
        }
        return limit % 1024 == 0 ? limit / 1024 + " KiB" : limit + " bytes";
    }
}
