package dev.syscage.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.supervise.audit.RecordSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a JSON Lines audit log ({@code syscage run --log FILE}) into an {@link AuditRun}, a line
 * at a time, checking each line against docs/audit-record.schema.json ({@link RecordSchema}).
 * The first line that is not JSON, not a record of the schema's version, of another run than
 * the first, or after the closing record, stops it with a {@link BadLog} naming the line.
 */
public final class LogReader {
    /** The record version this reader understands. */
    public static final int VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PROBLEMS_SHOWN = 3;

    private final String source;
    private final List<CallRecord> calls = new ArrayList<>();
    private String run;
    private RunInfo end;

    private LogReader(String source) {
        this.source = source;
    }

    /** Reads the whole log; {@code source} names it in errors (a file name, or "-" for standard input). */
    public static AuditRun read(String source, BufferedReader in) throws IOException, BadLog {
        LogReader r = new LogReader(source);
        long n = 0;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                r.add(++n, line);
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadLog(source, n + 1, "not UTF-8 text (an audit log is JSON Lines, in UTF-8)");
        }
        return new AuditRun(source, r.run, r.calls, Optional.ofNullable(r.end));
    }

    private void add(long n, String line) throws BadLog {
        if (line.isBlank()) {
            throw new BadLog(source, n, "an empty line where a record should be");
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new BadLog(source, n, "not JSON: " + e.getOriginalMessage());
        }
        checkVersion(n, node);
        List<String> problems = RecordSchema.problems(node);
        if (!problems.isEmpty()) {
            throw new BadLog(source, n, "not an audit record as docs/audit-record.schema.json describes it: "
                    + String.join("; ", problems.subList(0, Math.min(MAX_PROBLEMS_SHOWN, problems.size())))
                    + (problems.size() > MAX_PROBLEMS_SHOWN ? "; and " + (problems.size() - MAX_PROBLEMS_SHOWN) + " more" : ""));
        }
        checkRun(n, node);
        if (node.get("record").asText().equals("end")) {
            end = endOf(node);
        } else {
            calls.add(callOf(n, node));
        }
    }

    private void checkVersion(long n, JsonNode node) throws BadLog {
        JsonNode v = node.path("version");
        if (v.isInt() && v.asInt() != VERSION) {
            throw new BadLog(source, n, "a record of version " + v.asInt() + "; this syscage reads version " + VERSION
                    + " (docs/audit-record.schema.json)");
        }
    }

    private void checkRun(long n, JsonNode node) throws BadLog {
        String id = node.get("run").asText();
        if (end != null) {
            throw new BadLog(source, n, "a record after the run's closing record (a log holds one run)");
        }
        if (run == null) {
            run = id;
        } else if (!run.equals(id)) {
            throw new BadLog(source, n, "a record of run " + id + " after records of run " + run + " (a log holds one run)");
        }
    }

    private CallRecord callOf(long n, JsonNode r) throws BadLog {
        StringBuilder text = new StringBuilder(r.get("syscall").asText()).append('(');
        JsonNode args = r.get("args");
        for (int i = 0; i < args.size(); i++) {
            text.append(i == 0 ? "" : ", ").append(args.get(i).get("text").asText());
        }
        text.append(')');
        return new CallRecord(n, r.get("seq").asLong(), r.get("ts").asText(), nanos(n, r.get("ts").asText()),
                r.get("pid").asInt(), r.get("tid").asInt(), r.get("ppid").isNull() ? -1 : r.get("ppid").asInt(),
                text(r, "comm"), text(r, "exe"), r.get("syscall").asText(), text.toString(), text(r, "path"),
                text(r, "resolved_path"), text(r, "resolved_path2"), text(r, "real_path"), r.get("decision").asText(),
                text(r, "errno_name"), text(r, "rule"), r.get("result").isNull() ? null : r.get("result").asLong(),
                r.get("latency_ns").asLong(), r.get("source").asText(), wouldOf(r.get("would")));
    }

    /** Complain mode's {@code would}: null (or absent) but for a call the policy would have denied. */
    private static CallRecord.Would wouldOf(JsonNode w) {
        if (w == null || !w.isObject()) {
            return null;
        }
        return new CallRecord.Would(w.get("decision").asText(), w.get("errno_name").isNull() ? null
                : w.get("errno_name").asText(), w.get("rule").asText());
    }

    private static RunInfo endOf(JsonNode r) {
        List<String> command = new ArrayList<>();
        r.get("command").forEach(w -> command.add(w.asText()));
        return new RunInfo(r.get("started").asText(), r.get("ts").asText(), r.get("policy").asText(),
                r.get("mode").asText(), command, r.get("log_level").asText(), r.get("exit").asInt(),
                r.get("calls").asLong(), r.get("recorded").asLong(), r.get("unrecorded").asLong(),
                r.get("landlock").asLong());
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A timestamp the schema's pattern let through but no calendar has (month 13) is bad input too. */
    private long nanos(long n, String ts) throws BadLog {
        try {
            Instant t = Instant.parse(ts);
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new BadLog(source, n, "ts \"" + ts + "\" is not a time");
        }
    }
}
