package dev.syscage.policy.parse;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.input.InputLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads one YAML document into a {@link YamlNode} tree with a position on every node, from
 * Jackson's streaming parser. Problems go to a {@link Diagnostics}: syntax errors (at the place
 * the YAML scanner reports, in plainer words), duplicate keys, aliases, custom tags, and a second
 * document. A syntax error ends the reading. Aliases and tags are read to the end of the file
 * (to report them all) but give no tree, since their values would only cause more confusing
 * errors downstream; a duplicate key keeps its first value and the tree.
 */
public final class YamlReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final String STANDARD_TAG = "tag:yaml.org,2002:";

    private final SourceText source;
    private final Diagnostics diags;
    private final YAMLParser parser;
    private boolean unusable;
    private int depth;

    /** Ends the reading at a limit, which is already reported. */
    private static final class LimitReached extends RuntimeException {
        LimitReached() {
            super(null, null, false, false);
        }
    }

    private YamlReader(SourceText source, Diagnostics diags, YAMLParser parser) {
        this.source = source;
        this.diags = diags;
        this.parser = parser;
    }

    /** The document's root, or empty when the text is empty or not valid YAML (diagnosed). */
    public static Optional<YamlNode> read(SourceText source, String text, Diagnostics diags) {
        try (YAMLParser p = FACTORY.createParser(text)) {
            YamlReader r = new YamlReader(source, diags, p);
            JsonToken first = p.nextToken();
            if (first == null) {
                diags.error(source.pos(1, 1), "the file is empty; a policy needs at least 'version: 1' and 'default:'");
                return Optional.empty();
            }
            YamlNode root = r.node(first);
            if (p.nextToken() != null) {
                diags.error(r.tokenPos(), "a second YAML document starts here; a policy file holds exactly one");
            }
            return r.unusable ? Optional.empty() : Optional.of(root);
        } catch (JsonProcessingException e) {
            diags.add(YamlSyntaxError.of(source, text, e));
            return Optional.empty();
        } catch (LimitReached e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from a String cannot fail
        }
    }

    private YamlNode node(JsonToken token) throws IOException {
        SourcePos pos = tokenPos();
        checkTag(pos);
        if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
            return scalar(token, pos);
        }
        if (++depth > InputLimits.MAX_YAML_DEPTH) {
            diags.error(
                    pos,
                    "lists and maps nest deeper than " + InputLimits.MAX_YAML_DEPTH
                            + " here, the nesting limit for policy YAML");
            throw new LimitReached();
        }
        YamlNode n = token == JsonToken.START_OBJECT ? mapping(pos) : sequence(pos);
        depth--;
        return n;
    }

    private YamlNode.Mapping mapping(SourcePos pos) throws IOException {
        List<YamlNode.Entry> entries = new ArrayList<>();
        Map<String, SourcePos> seen = new HashMap<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_OBJECT) {
            // the only other token Jackson gives inside a mapping is FIELD_NAME
            YamlNode.Scalar key = scalar(t, tokenPos());
            YamlNode value = node(parser.nextToken());
            SourcePos first = seen.putIfAbsent(key.text(), key.pos());
            if (first != null) {
                diags.error(key.pos(), "duplicate key '" + key.text() + "' (first given at line " + first.line() + ")");
            } else {
                entries.add(new YamlNode.Entry(key, value));
            }
        }
        return new YamlNode.Mapping(pos, entries);
    }

    private YamlNode.Sequence sequence(SourcePos pos) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken t;
        while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
            items.add(node(t));
        }
        return new YamlNode.Sequence(pos, items);
    }

    private YamlNode.Scalar scalar(JsonToken token, SourcePos pos) throws IOException {
        String value = parser.getText();
        if (parser.isCurrentAlias()) {
            diags.error(pos, "YAML aliases ('*" + value + "') are not supported; write the value out");
            unusable = true;
        }
        YamlNode.Scalar.Type type = switch (token) {
            case VALUE_NUMBER_INT -> YamlNode.Scalar.Type.INTEGER;
            case VALUE_NUMBER_FLOAT -> YamlNode.Scalar.Type.FLOAT;
            case VALUE_TRUE, VALUE_FALSE -> YamlNode.Scalar.Type.BOOLEAN;
            case VALUE_NULL -> YamlNode.Scalar.Type.NULL;
            default -> YamlNode.Scalar.Type.STRING;
        };
        return new YamlNode.Scalar(pos, value, type, contentColumn(pos, value));
    }

    private void checkTag(SourcePos pos) throws IOException {
        String tag = parser.getTypeId();
        if (tag != null && !tag.startsWith(STANDARD_TAG)) {
            diags.error(pos, "YAML reads '!" + tag + "' as a tag; put the value in quotes if '!' belongs to it");
            unusable = true;
        }
    }

    /**
     * Where the value's first character is, when the source line shows the value exactly as
     * parsed (a one-line plain scalar, or a quoted one without escapes); -1 otherwise.
     */
    private int contentColumn(SourcePos pos, String value) {
        String line = source.line(pos.line());
        int at = pos.column() - 1;
        if (at < 0 || at >= line.length() || value.indexOf('\n') >= 0) {
            return -1;
        }
        char c = line.charAt(at);
        if (c == '"' || c == '\'') {
            return line.startsWith(c + value + c, at) ? pos.column() + 1 : -1;
        }
        if (c == '|' || c == '>') {
            return -1;
        }
        return line.startsWith(value, at) ? pos.column() : -1;
    }

    private SourcePos tokenPos() {
        JsonLocation l = parser.currentTokenLocation();
        return source.pos(l.getLineNr(), l.getColumnNr());
    }
}
