package dev.syscage.policy.oci;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.model.Action;
import dev.syscage.policy.parse.Suggestions;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads OCI/Docker seccomp JSON into an {@link OciProfile}. Every problem is collected and
 * thrown once as a {@link PolicyException}, each citing its JSON path ({@code syscalls[3].args[0].op});
 * every error carries the line and column of the value it is about ({@link JsonLocations}).
 * Unknown keys and values that runtimes ignore become warnings. A key given twice and anything
 * after the profile's object are errors, as in policy YAML (Go's decoder would take the last
 * key and, through Docker, ignore a trailing value; a profile that says two things is refused
 * rather than guessed at). Shape (null counts as absent, as in Go):
 *
 * <pre>
 * profile = { "defaultAction": ACTION, ["defaultErrnoRet": UINT], ["defaultErrno": ERRNO_NAME],
 *             ["architectures": [SCMP_ARCH]],
 *             ["archMap": [{"architecture": SCMP_ARCH, "subArchitectures": [SCMP_ARCH]}]],
 *             ["flags": [STR]], ["listenerPath": STR], ["listenerMetadata": STR], ["syscalls": [entry]] }
 * entry   = { "names": [STR] | "name": STR, "action": ACTION, ["errnoRet": UINT], ["errno": ERRNO_NAME],
 *             ["args": [arg]],
 *             ["includes": filter], ["excludes": filter], ["comment": STR] }
 * arg     = { "index": 0..5, "value": UINT64, ["valueTwo": UINT64], "op": SCMP_CMP_* }
 * filter  = { ["caps": [STR]], ["arches": [STR]], ["minKernel": "MAJOR.MINOR[.PATCH]"] }
 * </pre>
 */
final class OciProfileReader {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> TOP_KEYS = Set.of(
            "defaultAction",
            "defaultErrnoRet",
            "defaultErrno",
            "architectures",
            "archMap",
            "flags",
            "listenerPath",
            "listenerMetadata",
            "syscalls");
    private static final Set<String> ENTRY_KEYS =
            Set.of("names", "name", "action", "errnoRet", "errno", "args", "includes", "excludes", "comment");
    private static final Set<String> ARG_KEYS = Set.of("index", "value", "valueTwo", "op");
    private static final Set<String> FILTER_KEYS = Set.of("caps", "arches", "minKernel");
    private static final Set<String> ARCHMAP_KEYS = Set.of("architecture", "subArchitectures");

    /** The profile, the warnings reading it produced, and where each JSON path is in the text. */
    record Parsed(OciProfile profile, List<String> warnings, JsonLocations locations) {}

    private final String source;
    private JsonLocations locations;
    private final List<Diagnostic> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private OciProfileReader(String source) {
        this.source = source;
    }

    static Parsed read(String source, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            SourceText src = new SourceText(source, text);
            throw PolicyException.of(
                    at == null ? null : src.pos(Math.max(at.getLineNr(), 1), Math.max(at.getColumnNr(), 1)),
                    "invalid JSON: " + e.getOriginalMessage());
        }
        OciProfileReader r = new OciProfileReader(source);
        r.locations = JsonLocations.of(source, text);
        OciProfile p = r.profile(root);
        if (!r.errors.isEmpty()) {
            throw new PolicyException(r.errors);
        }
        return new Parsed(p, List.copyOf(r.warnings), r.locations);
    }

    private OciProfile profile(JsonNode root) {
        if (root == null || !root.isObject()) {
            error("", "expected a JSON object with defaultAction and syscalls");
            return null;
        }
        checkKeys(root, TOP_KEYS, "");
        OciAction def = action(root, "defaultAction", "");
        Long defErrno = errno(root, "defaultErrnoRet", "defaultErrno", "");
        if (def != null && def.takesErrno()) {
            checkErrno(def, defErrno, "defaultErrnoRet");
        }
        List<String> archs = strings(root.get("architectures"), "architectures");
        List<OciProfile.ArchMapEntry> archMap = new ArrayList<>();
        each(root.get("archMap"), "archMap", (n, path) -> archMap.add(archMapEntry(n, path)));
        if (!archs.isEmpty() && !archMap.isEmpty()) {
            error("", "both 'architectures' and 'archMap' are given; Docker accepts only one of them");
        }
        List<OciProfile.Entry> entries = new ArrayList<>();
        each(root.get("syscalls"), "syscalls", (n, path) -> entries.add(entry(n, path, entries.size())));
        String listener = text(root.get("listenerPath"), "listenerPath");
        return new OciProfile(
                source, def, defErrno, archs, archMap, entries, strings(root.get("flags"), "flags"), listener);
    }

    private OciProfile.ArchMapEntry archMapEntry(JsonNode n, String path) {
        checkKeys(n, ARCHMAP_KEYS, path);
        String arch = text(n.get("architecture"), path + ".architecture");
        if (arch == null) {
            error(path, "missing 'architecture'");
        }
        return new OciProfile.ArchMapEntry(arch, strings(n.get("subArchitectures"), path + ".subArchitectures"));
    }

    private OciProfile.Entry entry(JsonNode n, String path, int index) {
        checkKeys(n, ENTRY_KEYS, path);
        List<String> names = new ArrayList<>(strings(n.get("names"), path + ".names"));
        String legacy = text(n.get("name"), path + ".name");
        if (legacy != null && !names.isEmpty()) {
            error(path, "both 'name' and 'names' are given; Docker accepts only one of them");
        } else if (legacy != null) {
            names.add(legacy);
        }
        if (names.isEmpty()) {
            warnings.add(path + ": has no syscall names; ignored");
        }
        OciAction action = action(n, "action", path);
        Long errnoRet = errno(n, "errnoRet", "errno", path + ".");
        checkErrno(action, errnoRet, path + ".errnoRet");
        List<OciProfile.Arg> args = new ArrayList<>();
        each(n.get("args"), path + ".args", (a, p) -> args.add(arg(a, p)));
        return new OciProfile.Entry(
                index,
                names,
                action,
                errnoRet,
                args,
                filter(n.get("includes"), path + ".includes"),
                filter(n.get("excludes"), path + ".excludes"),
                text(n.get("comment"), path + ".comment"));
    }

    /**
     * The errno of a profile or entry: {@code errnoRet} (OCI, Docker, runc) or the name in
     * {@code errno} (containers/common, which Podman reads and writes beside the number). Given
     * both, they must agree: a profile that says two things is refused rather than guessed at.
     */
    private Long errno(JsonNode n, String retKey, String nameKey, String prefix) {
        Long ret = uint(n.get(retKey), prefix + retKey);
        String name = text(n.get(nameKey), prefix + nameKey);
        if (name == null) {
            return ret;
        }
        OptionalLong byName = Constants.errno(name);
        if (byName.isEmpty()) {
            error(
                    prefix + nameKey,
                    "unknown errno name '" + name + "'" + Suggestions.hint(name, Constants.errnoNames()));
            return ret;
        }
        if (ret != null && ret != byName.getAsLong()) {
            error(
                    prefix + nameKey,
                    nameKey + " " + name + " (" + byName.getAsLong() + ") and " + retKey + " "
                            + Long.toUnsignedString(ret) + " disagree; give one, or both alike");
        }
        return byName.getAsLong();
    }

    private void checkErrno(OciAction action, Long errnoRet, String path) {
        if (action == null || errnoRet == null) {
            return;
        }
        if (!action.takesErrno()) {
            warnings.add(path + ": errnoRet is ignored for " + action + " (runc ignores it, crun rejects the profile)");
        } else if (action == OciAction.SCMP_ACT_ERRNO && Long.compareUnsigned(errnoRet, Action.MAX_ERRNO) >= 0) {
            // libseccomp's db_col_action_valid: errno values up to MAX_ERRNO - 1 (4094); runc fails to start
            error(
                    path,
                    "errno " + Long.toUnsignedString(errnoRet) + " is not below " + Action.MAX_ERRNO
                            + " (MAX_ERRNO): libseccomp refuses it, so runc would not start the container");
        } else if (Long.compareUnsigned(errnoRet, 0xFFFF) > 0) {
            error(path, "trace data " + Long.toUnsignedString(errnoRet) + " does not fit in 16 bits");
        }
    }

    private OciProfile.Arg arg(JsonNode n, String path) {
        checkKeys(n, ARG_KEYS, path);
        Long index = uint(n.get("index"), path + ".index");
        Long value = uint(n.get("value"), path + ".value");
        Long two = uint(n.get("valueTwo"), path + ".valueTwo");
        String op = text(n.get("op"), path + ".op");
        OciProfile.Op parsed = null;
        for (OciProfile.Op o : OciProfile.Op.values()) {
            if (o.ociName().equals(op)) {
                parsed = o;
            }
        }
        if (index == null || Long.compareUnsigned(index, 5) > 0) {
            error(
                    path + ".index",
                    index == null
                            ? "missing 'index'"
                            : "index " + Long.toUnsignedString(index)
                                    + " is out of range; a syscall has arguments 0..5");
        }
        if (value == null && absent(n.get("value"))) {
            error(path, "missing 'value'");
        }
        if (parsed == null) {
            error(
                    path + ".op",
                    (op == null ? "missing 'op'" : "unknown operator '" + op + "'")
                            + "; expected SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ");
        }
        return new OciProfile.Arg(
                index == null ? 0 : (int) (long) index,
                value == null ? 0 : value,
                two == null ? 0 : two,
                parsed == null ? OciProfile.Op.EQ : parsed);
    }

    private OciProfile.Filter filter(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return OciProfile.Filter.EMPTY;
        }
        if (!n.isObject()) {
            error(path, "expected an object with caps, arches or minKernel");
            return OciProfile.Filter.EMPTY;
        }
        checkKeys(n, FILTER_KEYS, path);
        String minKernel = text(n.get("minKernel"), path + ".minKernel");
        if (minKernel != null && KernelVersion.parse(minKernel).isEmpty()) {
            error(path + ".minKernel", "'" + minKernel + "' is not a kernel version such as 4.8 or 5.10.2");
        }
        return new OciProfile.Filter(
                strings(n.get("caps"), path + ".caps"), strings(n.get("arches"), path + ".arches"), minKernel);
    }

    private OciAction action(JsonNode parent, String key, String path) {
        String where = path.isEmpty() ? key : path + "." + key;
        String s = text(parent.get(key), where);
        if (s == null) {
            error(path.isEmpty() ? "" : path, "missing '" + key + "'");
            return null;
        }
        return OciAction.byName(s).orElseGet(() -> {
            error(
                    where,
                    "unknown action '" + s + "'; expected one of SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, "
                            + "SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG, SCMP_ACT_NOTIFY");
            return null;
        });
    }

    private interface ElementReader {
        void read(JsonNode element, String path);
    }

    private void each(JsonNode n, String path, ElementReader reader) {
        if (n == null || n.isNull()) {
            return;
        }
        if (!n.isArray()) {
            error(path, "expected a list");
            return;
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode e = n.get(i);
            if (!e.isObject()) {
                error(path + "[" + i + "]", "expected an object");
            } else {
                reader.read(e, path + "[" + i + "]");
            }
        }
    }

    private List<String> strings(JsonNode n, String path) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            error(path, "expected a list of strings");
            return out;
        }
        for (int i = 0; i < n.size(); i++) {
            String s = text(n.get(i), path + "[" + i + "]");
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private String text(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            error(path, "expected a string, got " + n.getNodeType().toString().toLowerCase());
            return null;
        }
        return n.textValue();
    }

    /** An unsigned 64-bit number (as the spec's uint64), or null when absent or invalid. */
    private Long uint(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber()) {
            error(path, "expected a whole number, got " + n);
            return null;
        }
        BigInteger v = n.bigIntegerValue();
        if (v.signum() < 0 || v.bitLength() > 64) {
            error(path, v + " is not an unsigned 64-bit number");
            return null;
        }
        return v.longValue();
    }

    private static boolean absent(JsonNode n) {
        return n == null || n.isNull();
    }

    private void checkKeys(JsonNode n, Set<String> known, String path) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                warnings.add((path.isEmpty() ? "" : path + ": ") + "unknown key '" + k
                        + "' ignored (Docker ignores it too)");
            }
        }
    }

    private void error(String path, String message) {
        errors.add(Diagnostic.error(locations.at(path), (path.isEmpty() ? "" : path + ": ") + message));
    }
}
