package dev.syscage.auditlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * Audit records for tests that need a log without a run: a complete call record of
 * docs/audit-record.schema.json (an openat of /etc/shadow that the supervise rules denied), to
 * change field by field, and the run's closing record.
 */
public final class Records {
    public static final String RUN = "0f6c1d2e-0000-4000-8000-00000000beef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CALL = "{\"version\":2,\"record\":\"call\",\"run\":\"" + RUN + "\","
            + "\"ts\":\"2026-12-07T18:50:35.243000000Z\",\"seq\":1,\"pid\":10,\"tid\":10,\"ppid\":1,\"uid\":0,"
            + "\"comm\":\"cat\",\"exe\":\"/usr/bin/cat\",\"arch\":\"x86_64\",\"syscall\":\"openat\",\"nr\":257,"
            + "\"args\":[{\"name\":\"dfd\",\"kind\":\"dirfd\",\"value\":\"0xffffffffffffff9c\",\"text\":\"AT_FDCWD\"}],"
            + "\"path\":\"/etc/shadow\",\"resolved_path\":\"/etc/shadow\",\"resolved_path2\":null,\"real_path\":null,"
            + "\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\",\"rule\":\"p.yaml:9\",\"would\":null,"
            + "\"result\":-13,\"hook\":\"supervise-rules\",\"latency_ns\":1000,\"source\":\"notify\"}";
    private static final String END = "{\"version\":2,\"record\":\"end\",\"run\":\"" + RUN + "\","
            + "\"ts\":\"2026-12-07T18:50:36.000000000Z\",\"started\":\"2026-12-07T18:50:35.000000000Z\","
            + "\"policy\":\"p (p.yaml)\",\"mode\":\"notify\",\"command\":[\"cat\",\"/etc/shadow\"],\"log_level\":\"denied\","
            + "\"exit\":1,\"calls\":3,\"recorded\":1,\"unrecorded\":2,\"landlock\":0}";

    private Records() {}

    /** A fresh call record to change. */
    public static ObjectNode call() {
        return parse(CALL);
    }

    /** A fresh closing record to change. */
    public static ObjectNode end() {
        return parse(END);
    }

    /** An object as one line of a log, with its newline. */
    public static String line(ObjectNode record) {
        return record.toString() + "\n";
    }

    /** JSON text as an object node ({@code would}, {@code args}). */
    public static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
