package dev.syscage.policy.parse;

import dev.syscage.policy.diag.SourcePos;
import java.util.List;
import java.util.Optional;

/**
 * A YAML document as a small tree that remembers where every node starts. Jackson's own tree
 * model drops positions, and every diagnostic about a policy needs one, so {@link YamlReader}
 * builds this from the token stream instead.
 */
public sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    SourcePos pos();

    /** What the node is, for "expected ..., got ..." messages: {@code a map}, {@code the number 3}. */
    String describe();

    /** One {@code key: value} pair; keys are always scalars. */
    record Entry(Scalar key, YamlNode value) {}

    /** A YAML mapping; keys are unique (the reader reports duplicates and keeps the first). */
    record Mapping(SourcePos pos, List<Entry> entries) implements YamlNode {
        public Mapping {
            entries = List.copyOf(entries);
        }

        public Optional<Entry> entry(String key) {
            return entries.stream().filter(e -> e.key().text().equals(key)).findFirst();
        }

        @Override
        public String describe() {
            return "a map";
        }
    }

    record Sequence(SourcePos pos, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar as written. {@code contentColumn} is the column of the value's first character
     * when the value sits on one line exactly as written (plain, or quoted without escapes), so a
     * position inside the value can be computed; otherwise it is -1 and inner positions fall
     * back to the start of the scalar.
     */
    record Scalar(SourcePos pos, String text, Type type, int contentColumn) implements YamlNode {

        /** How YAML typed the scalar (Jackson's resolution of plain scalars). */
        public enum Type {
            STRING,
            INTEGER,
            FLOAT,
            BOOLEAN,
            NULL
        }

        /** The position of character {@code offset} of {@link #text()}, as precisely as the source allows. */
        public SourcePos posAt(int offset) {
            if (contentColumn < 0 || offset < 0 || offset > text.length()) {
                return pos;
            }
            return new SourcePos(pos.source(), pos.line(), contentColumn + offset);
        }

        public boolean isNull() {
            return type == Type.NULL;
        }

        @Override
        public String describe() {
            return switch (type) {
                case STRING -> "the string '" + text + "'";
                case INTEGER, FLOAT -> "the number " + text;
                case BOOLEAN -> "the boolean " + text;
                case NULL -> "nothing";
            };
        }
    }
}
