package dev.syscage.run;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a plain run asks the launcher to store in the run cache (native/launcher/cache.h,
 * docs/launcher.md#the-run-cache): the policy's files, whose contents key the entry, whether the
 * entry depends on what {@code --contain} can make here, and the messages this run printed
 * before the program started, which a cached run prints again. The launcher writes the entry
 * itself (the filter, the ruleset, its options, the key bin/syscage's front end computed and
 * put in {@value #KEY_ENV}), so that one implementation makes and checks entries.
 *
 * <p>A request exists only when the front end gave a key and the key is this run's: the same
 * working directory, the same arguments before {@code --}, the same clone; otherwise nothing is
 * stored.
 */
public final class CacheRequest {
    /** The key bin/syscage's front end (syscage-launch --cached-run) hands the JVM path. */
    public static final String KEY_ENV = "SYSCAGE_CACHE_KEY";

    /** The clone whose key a run accepts, when not the running jar's. */
    static final String ROOT_PROPERTY = "syscage.cache.root";

    private final StringWriter messages = new StringWriter();

    private CacheRequest() {}

    /**
     * The request for this run, when the front end asked for one and its key names this run.
     *
     * @param args the command line as syscage got it ({@code run ... -- PROG ...})
     */
    public static Optional<CacheRequest> forRun(List<String> args) {
        String key = System.getenv(KEY_ENV);
        int dashes = args.indexOf("--");
        if (key == null || dashes < 1 || !args.get(0).equals("run")) {
            return Optional.empty();
        }
        List<String> lines = List.of(key.split("\n", -1));
        if (lines.size() < 3
                || !lines.get(lines.size() - 1).isEmpty()
                || !lines.get(0).equals("root " + escape(cloneRoot()))
                || !lines.get(1)
                        .equals("cwd "
                                + escape(Path.of(System.getProperty("user.dir")).toString()))) {
            return Optional.empty();
        }
        List<String> expected = new ArrayList<>();
        args.subList(1, dashes).forEach(a -> expected.add("arg " + escape(a)));
        return lines.subList(2, lines.size() - 1).equals(expected) ? Optional.of(new CacheRequest()) : Optional.empty();
    }

    /** A writer that passes everything on to {@code err} and keeps a copy for the entry's messages. */
    public PrintWriter tee(PrintWriter err) {
        return new PrintWriter(
                new Writer() {
                    @Override
                    public void write(char[] buf, int off, int len) {
                        err.write(buf, off, len);
                        messages.write(buf, off, len);
                    }

                    @Override
                    public void flush() {
                        err.flush();
                    }

                    @Override
                    public void close() {
                        err.flush();
                    }
                },
                true);
    }

    /**
     * The request's text, as the launcher's {@code --cache-store} reads it: "input PATH" per
     * policy file, "contain" when the policy's isolate: section made the run depend on what
     * {@code --contain} can make here, "message TEXT" per line printed so far.
     */
    public byte[] toBytes(List<Path> files, boolean dependsOnContainment) {
        StringBuilder b = new StringBuilder();
        files.forEach(f -> b.append("input ")
                .append(escape(f.toAbsolutePath().normalize().toString()))
                .append('\n'));
        if (dependsOnContainment) {
            b.append("contain\n");
        }
        String printed = messages.toString();
        for (String line : printed.isEmpty() ? new String[0] : printed.split("\n", -1)) {
            b.append("message ").append(escape(line)).append('\n');
        }
        if (printed.endsWith("\n")) { // split leaves an empty last piece after the final newline
            b.setLength(b.length() - "message \n".length());
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** %XX for bytes below 0x20, '%' and 0x7f, as native/launcher/cache_text.c does. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c < 0x20 || c == '%' || c == 0x7f) {
                b.append('%').append(String.format("%02X", c));
            } else {
                b.append((char) c);
            }
        }
        return new String(b.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /**
     * The clone the running jar was built in (enforcer/target/syscage.jar), as a real path; ""
     * if unknown. {@value #ROOT_PROPERTY} names another (the tests' stand-in clones).
     */
    private static String cloneRoot() {
        String asked = System.getProperty(ROOT_PROPERTY);
        try {
            if (asked != null) {
                return Path.of(asked).toRealPath().toString();
            }
            Path jar = Path.of(CacheRequest.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path root = jar.toRealPath().getParent().getParent().getParent();
            return root == null ? "" : root.toString();
        } catch (URISyntaxException | java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
