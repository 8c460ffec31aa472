package dev.syscage.policy.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Where each value of a JSON document starts, by the JSON path the reader cites
 * ({@code syscalls[3].args[0].op}), so that a semantic error names the line and column as well
 * as the path. Jackson's tree has no positions; this is a second, streaming pass over text that
 * has already been read successfully. A path that is not in the document (a missing key) falls
 * back to its nearest enclosing value.
 */
final class JsonLocations {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final SourceText source;
    private final Map<String, int[]> starts = new HashMap<>();

    private JsonLocations(SourceText source) {
        this.source = source;
    }

    /** The positions in {@code text}; none (every lookup empty) if it cannot be streamed. */
    static JsonLocations of(String name, String text) {
        JsonLocations l = new JsonLocations(new SourceText(name, text));
        try (JsonParser p = FACTORY.createParser(text)) {
            l.walk(p);
        } catch (IOException e) {
            l.starts.clear();
        }
        return l;
    }

    /** The start of the value at {@code path} or of the closest value enclosing it; null if none. */
    SourcePos at(String path) {
        String p = path;
        while (true) {
            int[] lc = starts.get(p);
            if (lc != null) {
                return source.pos(lc[0], lc[1]);
            }
            if (p.isEmpty()) {
                return null;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut < 0 ? "" : p.substring(0, cut);
        }
    }

    /** An open object or array: its path, and for an array the index of the next element. */
    private static final class Frame {
        final String path;
        final boolean array;
        int next;

        Frame(String path, boolean array) {
            this.path = path;
            this.array = array;
        }
    }

    private void walk(JsonParser p) throws IOException {
        Deque<Frame> open = new ArrayDeque<>();
        String field = null;
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
            if (t == JsonToken.FIELD_NAME) {
                field = p.currentName();
                continue;
            }
            if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                open.pop();
                continue;
            }
            Frame parent = open.peek();
            String path;
            if (parent == null) {
                path = "";
            } else if (parent.array) {
                path = parent.path + "[" + parent.next++ + "]";
            } else {
                path = parent.path.isEmpty() ? field : parent.path + "." + field;
            }
            JsonLocation at = p.currentTokenLocation();
            starts.putIfAbsent(path, new int[] {Math.max(at.getLineNr(), 1), Math.max(at.getColumnNr(), 1)});
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                open.push(new Frame(path, t == JsonToken.START_ARRAY));
            }
        }
    }
}
