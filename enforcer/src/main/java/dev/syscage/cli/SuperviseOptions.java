package dev.syscage.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of the supervisor (used when a policy sends syscalls to it with trace rules). */
public final class SuperviseOptions {
    @Option(
            names = "--log",
            paramLabel = "FILE",
            description = "Write the audit log (one record per supervised call) to FILE, created or truncated. "
                    + "Default: no audit log. Never mixed into the program's output.")
    Path log;

    @Option(
            names = "--on-log-error",
            paramLabel = "ACTION",
            defaultValue = "stop",
            description = "When the audit log cannot be written (a full disk): stop (the program is killed as soon "
                    + "as the write fails; exit status 1) or continue (it goes on; syscage says how many records were "
                    + "lost). The file keeps whole records only. Default: ${DEFAULT-VALUE}.")
    String onLogError;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing of syscage's own on stderr but errors and what was "
                    + "asked for (--summary): no line about the audit log, no warnings.")
    boolean quiet;

    @Option(
            names = "--log-format",
            paramLabel = "FORMAT",
            defaultValue = "jsonl",
            description = "jsonl (one JSON object per event) or text (strace-like lines). Default: ${DEFAULT-VALUE}.")
    String logFormat;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            description = "all, decisions, denied or none (default: the policy's supervise.log, else all).")
    String logLevel;

    @Option(
            names = "--metrics",
            paramLabel = "FILE",
            description = "Write Prometheus metrics here, periodically and at exit.")
    Path metrics;

    @Option(
            names = "--summary",
            description = "Print a per-syscall table of supervised calls at exit (like strace -c).")
    boolean summary;

    @Option(
            names = "--hook",
            paramLabel = "CLASS",
            description = "A SyscallHook class to stack after the policy's rules (repeatable).")
    List<String> hooks = new ArrayList<>();
}
