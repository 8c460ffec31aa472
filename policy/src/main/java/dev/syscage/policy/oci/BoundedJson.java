package dev.syscage.policy.oci;

import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.input.BoundedRead;
import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.input.InputText;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an OCI profile's text within {@link InputLimits#MAX_OCI_PROFILE_BYTES}, as UTF-8
 * (JSON's encoding). Too large, not UTF-8, or a pipe that never ends: one error, positioned
 * where the limit was crossed or the bad byte is.
 */
final class BoundedJson {
    private BoundedJson() {}

    static String read(Path json) {
        BoundedRead.Input in;
        try {
            in = BoundedRead.read(json, InputLimits.MAX_OCI_PROFILE_BYTES);
        } catch (IOException e) {
            throw PolicyException.of(null, "cannot read " + json + ": " + BoundedRead.reason(e));
        }
        return text(json.toString(), in);
    }

    /** The text of a profile already read, named {@code display} in errors. */
    static String text(String display, BoundedRead.Input read) {
        BoundedRead.Input in = read.within(InputLimits.MAX_OCI_PROFILE_BYTES);
        String lenient = InputText.lenient(in.bytes());
        SourceText source = new SourceText(display, lenient);
        if (!in.complete()) {
            throw PolicyException.of(
                    InputText.end(source, lenient),
                    "the profile is larger than "
                            + InputLimits.bytes(InputLimits.MAX_OCI_PROFILE_BYTES)
                            + ", the size limit for an OCI profile;"
                            + " reading stopped here");
        }
        InputText.Decoded text = InputText.decode(in.bytes());
        if (text instanceof InputText.NotUtf8 bad) {
            throw PolicyException.of(bad.pos(source), bad.message());
        }
        String profile = ((InputText.Text) text).text();
        checkDepth(source, profile);
        return profile;
    }

    /**
     * Arrays and objects nest at most {@link InputLimits#MAX_JSON_DEPTH} deep (a profile needs 5):
     * a plain scan, so the error has a position where Jackson's own limit has none.
     */
    static void checkDepth(SourceText source, String json) {
        int depth = 0;
        int line = 1;
        int column = 0;
        boolean inString = false;
        boolean escaped = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            column++;
            if (c == '\n') {
                line++;
                column = 0;
            } else if (inString) {
                inString = escaped || c != '"';
                escaped = !escaped && c == '\\';
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > InputLimits.MAX_JSON_DEPTH) {
                    throw PolicyException.of(
                            source.pos(line, column),
                            "arrays and objects nest deeper than " + InputLimits.MAX_JSON_DEPTH
                                    + " here, the nesting limit for an OCI profile");
                }
            } else if (c == ']' || c == '}') {
                depth--;
            }
        }
    }
}
