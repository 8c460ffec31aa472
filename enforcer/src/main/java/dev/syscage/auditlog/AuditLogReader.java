package dev.syscage.auditlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one reader of audit logs ({@code syscage run --log FILE}, JSON Lines), for
 * {@code syscage report}, {@code syscage suggest} and the tests: a line at a time, each checked
 * against docs/audit-record.schema.json ({@link RecordSchema}) and turned into a typed
 * {@link CallRecord} or {@link EndRecord}. The first line that is not JSON, not UTF-8, not a
 * record of the schema's version, of another run than the first, or after the closing record,
 * stops it with a {@link BadLog} naming the line.
 */
public final class AuditLogReader {
    /** The record version this reader understands. */
    public static final int VERSION = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PROBLEMS_SHOWN = 3;

    private final String source;
    private final Consumer<CallRecord> onCall;
    private String run;
    private EndRecord end;
    private long calls;

    private AuditLogReader(String source, Consumer<CallRecord> onCall) {
        this.source = source;
        this.onCall = onCall;
    }

    /** What a log held besides its call records: the run's id (null for an empty log), how many calls, the closing record. */
    public record Summary(String run, long calls, Optional<EndRecord> end) {}

    /**
     * Opens a log named on a command line: {@code -} is {@code stdin}; a file is read as it is
     * (no size limit: a log of a long run is large). Both decode strictly: bytes that are not
     * UTF-8 are an error, not a replacement character.
     */
    public static BufferedReader open(String arg, InputStream stdin) throws IOException {
        if (arg.equals("-")) {
            return new BufferedReader(new InputStreamReader(
                    stdin,
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)));
        }
        Path file = Path.of(arg);
        if (Files.isDirectory(file)) {
            throw new IOException("is a directory");
        }
        return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    /** Reads the whole log; {@code source} names it in errors (a file name, or how standard input is called). */
    public static AuditRun read(String source, BufferedReader in) throws IOException, BadLog {
        List<CallRecord> calls = new ArrayList<>();
        Summary s = forEach(source, in, calls::add);
        return new AuditRun(source, s.run(), calls, s.end());
    }

    /** Reads the log file {@code log} whole, named by its path. */
    public static AuditRun read(Path log) throws IOException, BadLog {
        try (BufferedReader in = open(log.toString(), InputStream.nullInputStream())) {
            return read(log.toString(), in);
        }
    }

    /** Reads the log a record at a time (a log of a million records), giving each call record to {@code onCall}. */
    public static Summary forEach(String source, BufferedReader in, Consumer<CallRecord> onCall)
            throws IOException, BadLog {
        AuditLogReader r = new AuditLogReader(source, onCall);
        long n = 0;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                r.add(++n, line);
            }
        } catch (CharacterCodingException e) {
            throw new BadLog(source, n + 1, "not UTF-8 text (an audit log is JSON Lines, in UTF-8)");
        }
        return new Summary(r.run, r.calls, Optional.ofNullable(r.end));
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
            throw new BadLog(
                    source,
                    n,
                    "not an audit record as docs/audit-record.schema.json describes it: "
                            + String.join("; ", problems.subList(0, Math.min(MAX_PROBLEMS_SHOWN, problems.size())))
                            + (problems.size() > MAX_PROBLEMS_SHOWN
                                    ? "; and " + (problems.size() - MAX_PROBLEMS_SHOWN) + " more"
                                    : ""));
        }
        checkRun(n, node);
        if (node.get("record").asText().equals("end")) {
            end = endOf(node);
        } else {
            calls++;
            onCall.accept(callOf(n, node));
        }
    }

    private void checkVersion(long n, JsonNode node) throws BadLog {
        JsonNode v = node.path("version");
        if (v.isInt() && v.asInt() != VERSION) {
            throw new BadLog(
                    source,
                    n,
                    "a record of version " + v.asInt() + "; this syscage reads version " + VERSION
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
            throw new BadLog(
                    source, n, "a record of run " + id + " after records of run " + run + " (a log holds one run)");
        }
    }

    /** A record the schema let through, typed: every field is there, of its type. */
    private CallRecord callOf(long n, JsonNode r) throws BadLog {
        List<CallRecord.Arg> args = new ArrayList<>();
        for (JsonNode a : r.get("args")) {
            args.add(new CallRecord.Arg(
                    a.get("name").asText(),
                    a.get("kind").asText(),
                    Long.parseUnsignedLong(a.get("value").asText().substring(2), 16),
                    a.get("text").asText()));
        }
        return new CallRecord(
                n,
                r.get("seq").asLong(),
                r.get("ts").asText(),
                nanos(n, r.get("ts").asText()),
                r.get("pid").asInt(),
                r.get("tid").asInt(),
                intOr(r.get("ppid"), -1),
                intOr(r.get("uid"), -1),
                text(r, "comm"),
                text(r, "exe"),
                r.get("arch").asText(),
                r.get("syscall").asText(),
                r.get("nr").asInt(),
                args,
                text(r, "path"),
                text(r, "resolved_path"),
                text(r, "resolved_path2"),
                text(r, "real_path"),
                r.get("decision").asText(),
                integer(r.get("errno")),
                text(r, "errno_name"),
                text(r, "rule"),
                wouldOf(r.get("would")),
                r.get("result").isNull() ? null : r.get("result").asLong(),
                text(r, "hook"),
                r.get("latency_ns").asLong(),
                r.get("source").asText());
    }

    /** Complain mode's {@code would}: null but for a call the policy would have denied. */
    private static CallRecord.Would wouldOf(JsonNode w) {
        if (!w.isObject()) {
            return null;
        }
        return new CallRecord.Would(
                w.get("decision").asText(),
                integer(w.get("errno")),
                text(w, "errno_name"),
                w.get("rule").asText(),
                w.get("by").asText());
    }

    private static EndRecord endOf(JsonNode r) {
        List<String> command = new ArrayList<>();
        r.get("command").forEach(w -> command.add(w.asText()));
        return new EndRecord(
                r.get("started").asText(),
                r.get("ts").asText(),
                r.get("policy").asText(),
                r.get("mode").asText(),
                command,
                r.get("log_level").asText(),
                r.get("exit").asInt(),
                r.get("calls").asLong(),
                r.get("recorded").asLong(),
                r.get("unrecorded").asLong(),
                r.get("landlock").asLong());
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Integer integer(JsonNode v) {
        return v == null || v.isNull() ? null : v.asInt();
    }

    private static int intOr(JsonNode v, int none) {
        return v == null || v.isNull() ? none : v.asInt();
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
