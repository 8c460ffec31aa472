package dev.syscage.cli;

/** Every exit status the CLI uses, in one place (documented in README and docs/cli.md). */
public final class ExitCodes {
    private ExitCodes() {}

    /** Success. */
    public static final int OK = 0;
    /** The command ran but failed: an I/O error, a kernel call that failed. */
    public static final int FAILURE = 1;
    /** Bad input: a policy with errors, an unreadable file, a bad option. Nothing was run. */
    public static final int BAD_INPUT = 2;
    /** syscage itself is wrong (e.g. the compiled program disagrees with the policy): a bug to report. */
    public static final int INTERNAL = 3;
}
