package dev.syscage.supervise.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder's data files: tab-separated lines in this package's resources, {@code #} comments
 * and blank lines skipped. Each line keeps its number so that a mistake in the data is reported
 * as {@code file:line}.
 */
final class TsvResource {

    private TsvResource() {}

    /** One data line: {@code file:line} and its fields. */
    record Line(String file, int number, List<String> fields) {
        String where() {
            return file + ":" + number;
        }

        String field(int i) {
            return fields.get(i);
        }
    }

    /** The lines of a resource, each checked to have {@code columns} fields. */
    static List<Line> read(String name, int columns) {
        try (InputStream in = TsvResource.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + TsvResource.class.getName());
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Line> lines = new ArrayList<>();
            String text;
            int number = 0;
            while ((text = r.readLine()) != null) {
                number++;
                if (text.isBlank() || text.startsWith("#")) {
                    continue;
                }
                String[] f = text.split("\t+");
                if (f.length != columns) {
                    throw new IllegalStateException(name + ":" + number + ": expected " + columns
                            + " tab-separated fields, found " + f.length + ": " + text);
                }
                List<String> fields = new ArrayList<>();
                for (String s : f) {
                    fields.add(s.strip());
                }
                lines.add(new Line(name, number, List.copyOf(fields)));
            }
            return List.copyOf(lines);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
