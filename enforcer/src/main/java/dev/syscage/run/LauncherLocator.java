package dev.syscage.run;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds {@code syscage-launch}: $SYSCAGE_LAUNCH, then the system property
 * {@code syscage.native.dir}, then {@code native/build} of the clone the running jar was built
 * in, then $PATH.
 */
public final class LauncherLocator {
    public static final String NAME = "syscage-launch";

    private LauncherLocator() {}

    /** Every place looked at, in order, for the error message when none has it. */
    public static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String env = System.getenv("SYSCAGE_LAUNCH");
        if (env != null && !env.isBlank()) {
            out.add(Path.of(env));
        }
        String dir = System.getProperty("syscage.native.dir");
        if (dir != null) {
            out.add(Path.of(dir, NAME));
        }
        codeLocation().ifPresent(p -> {
            // enforcer/target/syscage.jar or enforcer/target/classes → <clone>/native/build
            Path clone = p.getParent() == null ? null : p.getParent().getParent();
            if (clone != null && clone.getParent() != null) {
                out.add(clone.getParent().resolve("native").resolve("build").resolve(NAME));
            }
        });
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    out.add(Path.of(d, NAME));
                }
            }
        }
        return out;
    }

    public static Optional<Path> find() {
        return candidates().stream().filter(Files::isExecutable).findFirst();
    }

    private static Optional<Path> codeLocation() {
        try {
            return Optional.of(Path.of(LauncherLocator.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath());
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
