package dev.syscage.cli;

import dev.syscage.auditlog.AuditRun;
import dev.syscage.report.HtmlReport;
import dev.syscage.report.TextReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code syscage report LOG}: an audit log ({@code syscage run --log LOG}, JSON Lines) as one
 * self-contained HTML page ({@link HtmlReport}), or with {@code --format text} as the
 * {@code strace -c}-like table ({@link TextReport}). Every line is checked against the record
 * schema first: a log that is not one is bad input, named by file and line.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Show an audit log (syscage run --log FILE, JSON Lines) as a self-contained HTML page, or as a "
                + "table of calls per syscall and decision (--format text).",
        footer = {
            "",
            "Exit status: 0 written; 1 the output could not be written; 2 bad input (the log is missing, "
                    + "not JSON, or not audit records)."
        })
public final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "LOG", description = "The audit log (JSON Lines); - for standard input.")
    String log;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Where to write the report; - or none: standard output.")
    String output;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "html",
            description = "html (one page, no external resources) or text. Default: html.")
    String format;

    @Override
    public Integer call() {
        if (!format.equals("html") && !format.equals("text")) {
            throw UserException.badInput("unknown --format '" + format + "' (choose html or text)");
        }
        AuditRun run = AuditLogInput.read(log, spec);
        String report = format.equals("text") ? TextReport.render(run) : HtmlReport.render(run);
        write(report);
        return ExitCodes.OK;
    }

    private void write(String report) {
        OutputFile.writeText(
                Path.of(output == null ? "-" : output),
                report,
                spec.commandLine().getOut());
    }
}
