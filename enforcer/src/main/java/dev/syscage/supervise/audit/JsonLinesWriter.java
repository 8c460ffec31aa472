package dev.syscage.supervise.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.syscage.policy.arch.Constants;
import dev.syscage.supervise.Complaint;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.Locale;

/**
 * One JSON object a line, written with Jackson's streaming generator (no object mapping per
 * record). Every field of a record's kind is present on every line of that kind, null where
 * unknown or not applicable, and each has one JSON type (docs/audit-record.schema.json, version
 * {@value #VERSION}, which tests check every record against). A call:
 * <pre>
 * {"version":2,"record":"call","run":"0f6c...","ts":"2024-05-01T12:34:56.123456789Z","seq":7,"pid":1234,"tid":1234,
 *  "ppid":1200,"uid":1000,"comm":"cat","exe":"/usr/bin/cat","arch":"x86_64","syscall":"openat","nr":257,
 *  "args":[{"name":"dfd","kind":"fd","value":"0xffffffffffffff9c","text":"AT_FDCWD"},...],
 *  "path":"passwd","resolved_path":"/etc/passwd","resolved_path2":null,"real_path":null,
 *  "decision":"errno","errno":13,"errno_name":"EACCES","rule":"web.yaml:12","would":null,"result":-13,
 *  "hook":"rules","latency_ns":13000,"source":"trace"}
 * </pre>
 * and the run's closing record, the last line of a log that is complete:
 * <pre>
 * {"version":2,"record":"end","run":"0f6c...","ts":"2024-05-01T12:34:57.000000001Z",
 *  "started":"2024-05-01T12:34:55.900000000Z","policy":"web (web.yaml)","mode":"notify",
 *  "command":["cat","/etc/passwd"],"log_level":"denied","exit":0,"calls":40,"recorded":3,
 *  "unrecorded":37,"landlock":0}
 * </pre>
 * An argument's {@code value} is its raw 64-bit register as a string of hex digits
 * ({@code "0x"} and lower case, no leading zeros): exact in every JSON reader, where a number
 * above 2^53 is not. {@code would} is null but in complain mode, where a call the policy would
 * have denied ran ({@code "decision":"allow","rule":"complain"}):
 * {@code {"decision":"errno","errno":13,"errno_name":"EACCES","rule":"web.yaml:12","by":"filter"}}.
 */
final class JsonLinesWriter implements RecordWriter {
    /** The record schema's version; it changes when a field changes meaning or type, or goes. */
    static final int VERSION = 2;

    private static final JsonFactory FACTORY = new JsonFactory();

    private final JsonGenerator gen;
    private final String run;
    private final Timestamps timestamps = new Timestamps();
    private final StringBuilder ts = new StringBuilder(32);

    /** @param run the run's id, in every record */
    JsonLinesWriter(Writer out, String run) {
        this.run = run;
        try {
            this.gen = FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        gen.setRootValueSeparator(null);
    }

    @Override
    public void write(AuditRecord r) throws IOException {
        ts.setLength(0);
        gen.writeStartObject();
        gen.writeNumberField("version", VERSION);
        gen.writeStringField("record", "call");
        gen.writeStringField("run", run);
        gen.writeStringField("ts", timestamps.append(ts, r.wallNanos()).toString());
        gen.writeNumberField("seq", r.seq());
        gen.writeNumberField("pid", r.pid());
        gen.writeNumberField("tid", r.tid());
        knownNumber("ppid", r.ppid());
        knownNumber("uid", r.uid());
        gen.writeStringField("comm", r.comm());
        gen.writeStringField("exe", r.exe());
        gen.writeStringField("arch", r.arch().yamlName());
        gen.writeStringField("syscall", r.syscall());
        gen.writeNumberField("nr", r.nr());
        writeArgs(r);
        gen.writeStringField("path", r.path());
        gen.writeStringField("resolved_path", r.resolvedPath());
        gen.writeStringField("resolved_path2", r.resolvedPath2());
        gen.writeStringField("real_path", r.realPath());
        writeDecision(r.decision());
        if (r.result() == null) {
            gen.writeNullField("result");
        } else {
            gen.writeNumberField("result", r.result());
        }
        gen.writeStringField("hook", r.hook());
        gen.writeNumberField("latency_ns", r.latencyNanos());
        gen.writeStringField("source", r.source().name().toLowerCase(Locale.ROOT));
        gen.writeEndObject();
        gen.writeRaw('\n');
        gen.flush(); // the whole record into the sink, which keeps it until it is complete
    }

    @Override
    public boolean writeEnd(RunEnd.Written w) throws IOException {
        RunEnd e = w.end();
        gen.writeStartObject();
        gen.writeNumberField("version", VERSION);
        gen.writeStringField("record", "end");
        gen.writeStringField("run", run);
        gen.writeStringField("ts", timestamps.format(w.endedNanos()));
        gen.writeStringField("started", timestamps.format(w.startedNanos()));
        gen.writeStringField("policy", e.policy());
        gen.writeStringField("mode", e.mode());
        gen.writeArrayFieldStart("command");
        for (String word : e.command()) {
            gen.writeString(word);
        }
        gen.writeEndArray();
        gen.writeStringField("log_level", w.level());
        gen.writeNumberField("exit", e.exit());
        gen.writeNumberField("calls", e.calls());
        gen.writeNumberField("recorded", w.recorded());
        gen.writeNumberField("unrecorded", w.unrecorded());
        gen.writeNumberField("landlock", w.landlock());
        gen.writeEndObject();
        gen.writeRaw('\n');
        gen.flush();
        return true;
    }

    private void writeArgs(AuditRecord r) throws IOException {
        gen.writeArrayFieldStart("args");
        for (DecodedArg a : r.args()) {
            gen.writeStartObject();
            gen.writeStringField("name", a.name());
            gen.writeStringField("kind", a.kind());
            gen.writeFieldName("value");
            gen.writeString("0x" + Long.toHexString(a.raw()));
            gen.writeStringField("text", a.text());
            gen.writeEndObject();
        }
        gen.writeEndArray();
    }

    private void writeDecision(Decision d) throws IOException {
        gen.writeStringField("decision", d.tag());
        if (d.kind() == Decision.Kind.ERRNO) {
            gen.writeNumberField("errno", d.errno());
            gen.writeStringField("errno_name", Constants.errnoName(d.errno()));
        } else {
            gen.writeNullField("errno");
            gen.writeNullField("errno_name");
        }
        gen.writeStringField("rule", d.rule());
        Complaint w = d.would();
        if (w == null) {
            gen.writeNullField("would");
            return;
        }
        gen.writeObjectFieldStart("would");
        gen.writeStringField("decision", w.action());
        if (w.action().equals("errno")) {
            gen.writeNumberField("errno", w.errno());
            gen.writeStringField("errno_name", Constants.errnoName(w.errno()));
        } else {
            gen.writeNullField("errno");
            gen.writeNullField("errno_name");
        }
        gen.writeStringField("rule", w.rule());
        gen.writeStringField("by", w.by());
        gen.writeEndObject();
    }

    private void knownNumber(String field, int value) throws IOException {
        if (value < 0) {
            gen.writeNullField(field);
        } else {
            gen.writeNumberField(field, value);
        }
    }

    @Override
    public void flush() throws IOException {
        gen.flush();
    }

    @Override
    public void close() throws IOException {
        gen.close();
    }
}
