package dev.syscage.nativeaccess;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * JNA's first use runs {@code /sbin/ldconfig -p} (through the JDK's jspawnhelper: two execs,
 * tens of milliseconds at every start of 'syscage run') to learn where libraries live, unless
 * the {@value #PROPERTY} system property says it. syscage loads only libc by name, so the
 * directory this process's own libc was mapped from is all JNA needs to find it.
 */
public final class JnaSearchPath {
    static final String PROPERTY = "jna.platform.library.path";

    private JnaSearchPath() {}

    /** Sets {@value #PROPERTY} to libc's directory (and /usr/lib, /lib), unless set or libc is not found. */
    public static void fromLibc() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(p -> p.endsWith("/libc.so.6"))
                    .findFirst()
                    .ifPresent(libc -> System.setProperty(
                            PROPERTY,
                            Path.of(libc).getParent() + File.pathSeparator + "/usr/lib" + File.pathSeparator + "/lib"));
        } catch (IOException | RuntimeException e) {
            // JNA then asks ldconfig, as it would
        }
    }
}
