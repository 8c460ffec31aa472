package dev.syscage.policy.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Action;
import java.math.BigInteger;
import java.util.List;

/**
 * Writes an exported profile as OCI/Docker JSON: keys in the order Docker's own profiles use,
 * one array element per line, two-space indentation, {@code "key": value}, numbers unsigned.
 * The same input always gives the same bytes.
 */
final class OciJsonWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One element of {@code syscalls}. {@code includeArches} empty: no {@code includes}. */
    record Entry(
            List<String> names, Action action, List<OciProfile.Arg> args, List<String> includeArches, String comment) {
        Entry {
            names = List.copyOf(names);
            args = List.copyOf(args);
            includeArches = List.copyOf(includeArches);
        }
    }

    private OciJsonWriter() {}

    static String write(Action defaultAction, List<Arch> arches, List<Entry> entries) {
        ObjectNode root = JSON.createObjectNode();
        root.put("defaultAction", OciAction.of(defaultAction).name());
        OciAction.errnoRet(defaultAction).ifPresent(e -> root.put("defaultErrnoRet", e));
        ArrayNode archs = root.putArray("architectures");
        arches.forEach(a -> archs.add(scmpArch(a)));
        ArrayNode calls = root.putArray("syscalls");
        entries.forEach(e -> entry(calls.addObject(), e));
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(
                        Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        pp.indentObjectsWith(indent);
        pp.indentArraysWith(indent);
        try {
            return JSON.writer(pp).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static void entry(ObjectNode n, Entry e) {
        ArrayNode names = n.putArray("names");
        e.names().forEach(names::add);
        n.put("action", OciAction.of(e.action()).name());
        OciAction.errnoRet(e.action()).ifPresent(v -> n.put("errnoRet", v));
        if (!e.args().isEmpty()) {
            ArrayNode args = n.putArray("args");
            for (OciProfile.Arg a : e.args()) {
                ObjectNode an = args.addObject();
                an.put("index", a.index());
                an.put("value", unsigned(a.value()));
                an.put("valueTwo", unsigned(a.valueTwo()));
                an.put("op", a.op().ociName());
            }
        }
        if (!e.includeArches().isEmpty()) {
            ArrayNode in = n.putObject("includes").putArray("arches");
            e.includeArches().forEach(in::add);
        }
        if (e.comment() != null) {
            n.put("comment", e.comment());
        }
    }

    /** SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86. */
    static String scmpArch(Arch a) {
        return switch (a) {
            case X86_64 -> "SCMP_ARCH_X86_64";
            case AARCH64 -> "SCMP_ARCH_AARCH64";
            case I386 -> "SCMP_ARCH_X86";
        };
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
