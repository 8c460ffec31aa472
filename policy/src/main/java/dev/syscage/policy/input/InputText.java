package dev.syscage.policy.input;

import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Checks on input text before a parser sees it, each giving the position of what it found. */
public final class InputText {
    private InputText() {}

    /** Bytes as UTF-8 text, or where the first byte that is not UTF-8 is. */
    public sealed interface Decoded permits Text, NotUtf8 {}

    public record Text(String text) implements Decoded {}

    /** {@code before}: the text up to the bad byte; {@code bad}: its value (0..255). */
    public record NotUtf8(String before, int bad) implements Decoded {
        /** Where the bad byte is in {@code source} (made of the same bytes). */
        public SourcePos pos(SourceText source) {
            return end(source, before);
        }

        public String message() {
            return String.format("not UTF-8 text: byte 0x%02x here cannot start or continue a UTF-8 character", bad);
        }
    }

    public static Decoded decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) {
            r = d.flush(out);
        }
        out.flip();
        if (r.isError()) {
            return new NotUtf8(out.toString(), bytes[in.position()] & 0xff);
        }
        return new Text(out.toString());
    }

    /** The bytes as text, each byte that is not UTF-8 replaced (for quoting text cut at a limit). */
    public static String lenient(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The position just after {@code prefix}, a prefix of {@code source}'s text. */
    public static SourcePos end(SourceText source, String prefix) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c == '\n' || c == '\r' && (i + 1 == prefix.length() || prefix.charAt(i + 1) != '\n')) {
                line++;
                lineStart = i + 1;
            }
        }
        return source.pos(line, prefix.length() - lineStart + 1);
    }

    /**
     * The first place where a line is longer than {@link InputLimits#MAX_LINE_LENGTH}: the
     * column just past the limit.
     */
    public static Optional<SourcePos> firstLongLine(SourceText source, String text) {
        int line = 1;
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                if (c == '\n' || i + 1 == text.length() || text.charAt(i + 1) != '\n') {
                    line++;
                }
                length = 0;
            } else if (++length > InputLimits.MAX_LINE_LENGTH) {
                return Optional.of(source.pos(line, length));
            }
        }
        return Optional.empty();
    }
}
