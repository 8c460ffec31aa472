package dev.syscage.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The shipped profiles: YAML resources under {@code dev/syscage/profiles/} (the profiles module). */
public final class ProfileCatalog {
    static final String DIR = "dev/syscage/profiles/";

    private ProfileCatalog() {}

    /** Names of the shipped profiles, sorted. */
    public static TreeSet<String> names() {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> dirs = ProfileCatalog.class.getClassLoader().getResources(DIR);
            while (dirs.hasMoreElements()) {
                URL u = dirs.nextElement();
                if (u.getProtocol().equals("jar")) {
                    JarURLConnection c = (JarURLConnection) u.openConnection();
                    c.setUseCaches(false);
                    try (JarFile jar = c.getJarFile()) {
                        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                            add(names, e.nextElement().getName());
                        }
                    }
                } else if (u.getProtocol().equals("file")) {
                    try (Stream<Path> s = Files.list(Path.of(u.toURI()))) {
                        s.forEach(p -> add(names, DIR + p.getFileName()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    private static void add(TreeSet<String> names, String entry) {
        if (entry.startsWith(DIR) && entry.endsWith(".yaml") && entry.indexOf('/', DIR.length()) < 0) {
            names.add(entry.substring(DIR.length(), entry.length() - ".yaml".length()));
        }
    }

    /** The text of a shipped profile. */
    public static Optional<String> text(String name) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            return Optional.empty();
        }
        try (InputStream in = ProfileCatalog.class.getClassLoader().getResourceAsStream(DIR + name + ".yaml")) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How a shipped profile is named in diagnostics: where it lives in the source tree. */
    public static String displayName(String name) {
        return "profiles/" + name + ".yaml";
    }
}
