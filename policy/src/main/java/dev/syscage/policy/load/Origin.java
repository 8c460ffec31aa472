package dev.syscage.policy.load;

import dev.syscage.policy.input.BoundedRead;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where a policy file comes from: a file, a shipped profile on the classpath, or a string
 * handed to the loader. It knows the name to show in diagnostics, a key that identifies the
 * file for cycle detection, how to read it, and how to find a file it includes by path.
 */
public sealed interface Origin permits Origin.File, Origin.Resource, Origin.Text, Origin.Read {

    /** The name diagnostics show: the path as the user wrote it, relative where they gave it so. */
    String display();

    /** Equal for two origins that are the same file. */
    String key();

    /** At most {@code max} bytes of the file, and whether that was all of it. */
    BoundedRead.Input read(int max) throws IOException;

    /** The file {@code relative} names when this file includes it by path. */
    Origin sibling(String relative);

    /** A file on disk; {@code path} is used to read, {@code display} to report. */
    record File(Path path, String display) implements Origin {
        @Override
        public String key() {
            Path abs = path.toAbsolutePath().normalize();
            try {
                return "file:" + abs.toRealPath();
            } catch (IOException e) {
                return "file:" + abs;
            }
        }

        @Override
        public BoundedRead.Input read(int max) throws IOException {
            return BoundedRead.read(path, max);
        }

        @Override
        public Origin sibling(String relative) {
            return new File(
                    path.resolveSibling(relative).normalize(),
                    Path.of(display).resolveSibling(relative).normalize().toString());
        }
    }

    /** A shipped profile, {@code dev/syscage/profiles/NAME.yaml} on the classpath. */
    record Resource(String resource) implements Origin {
        static final String DIR = "dev/syscage/profiles/";

        @Override
        public String display() {
            return "<shipped>/" + resource.substring(resource.lastIndexOf('/') + 1);
        }

        @Override
        public String key() {
            return "resource:" + resource;
        }

        boolean exists() {
            return loader().getResource(resource) != null;
        }

        @Override
        public BoundedRead.Input read(int max) throws IOException {
            try (InputStream in = loader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new NoSuchFileException(resource);
                }
                return BoundedRead.read(in, max);
            }
        }

        @Override
        public Origin sibling(String relative) {
            String dir = resource.substring(0, resource.lastIndexOf('/') + 1);
            return new Resource(Path.of(dir + relative).normalize().toString().replace('\\', '/'));
        }

        private static ClassLoader loader() {
            ClassLoader cl = Thread.currentThread().getContextClassLoader();
            return cl != null ? cl : Origin.class.getClassLoader();
        }
    }

    /** Policy text given directly; includes by path are relative to the directory of its name. */
    record Text(String display, String text) implements Origin {
        @Override
        public String key() {
            return "text:" + display;
        }

        @Override
        public BoundedRead.Input read(int max) throws IOException {
            return BoundedRead.read(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
        }

        @Override
        public Origin sibling(String relative) {
            return new File(Path.of(display), display).sibling(relative);
        }
    }

    /**
     * A top-level file its caller has already read (the CLI, for one error style and for
     * {@code -}): {@code file} is where it was read from, for includes and cycles, or null for
     * standard input, whose includes are relative to the current directory.
     */
    record Read(String display, Path file, BoundedRead.Input input) implements Origin {
        @Override
        public String key() {
            return file == null ? "stdin:" + display : new File(file, display).key();
        }

        @Override
        public BoundedRead.Input read(int max) {
            return input.within(max);
        }

        @Override
        public Origin sibling(String relative) {
            return file == null
                    ? new File(
                            Path.of(relative).normalize(),
                            Path.of(relative).normalize().toString())
                    : new File(file, display).sibling(relative);
        }
    }

    /** Why a file could not be read, in a few words. */
    static String reason(IOException e) {
        return BoundedRead.reason(e);
    }
}
