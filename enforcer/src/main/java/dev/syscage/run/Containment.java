package dev.syscage.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What {@code syscage-launch --contain} can make on this machine for this user, as its
 * {@code --probe-contain} says: a PID and mount namespace directly (root), inside a user
 * namespace (others, where the kernel lets them), or neither, and then only a child subreaper
 * (native/launcher/contain.h).
 *
 * @param namespaces whether the run gets its own PID and mount namespaces (and can get the
 *     policy's other namespaces and read-only mounts)
 * @param how "as root", "in a user namespace", or why not
 */
public record Containment(boolean namespaces, String how) {
    /** Whether the launcher makes the namespaces itself, without a user namespace (as root). */
    public boolean asRoot() {
        return namespaces && how.equals("as root");
    }

    /** Runs the probe; a probe that cannot run counts as "no namespaces", saying why. */
    public static Containment probe(Path launcher) {
        try {
            Process p = new ProcessBuilder(launcher.toString(), "--probe-contain")
                    .redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readNBytes(4096);
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Containment(false, "the launcher's probe did not answer");
            }
            return parse(new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Containment(false, "the launcher's probe did not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Containment(false, "interrupted");
        }
    }

    static Containment parse(String line) {
        if (line.equals("namespaces root")) {
            return new Containment(true, "as root");
        }
        if (line.equals("namespaces user")) {
            return new Containment(true, "in a user namespace");
        }
        return new Containment(false, line.startsWith("subreaper: ") ? line.substring("subreaper: ".length()) : line);
    }

    /**
     * One line for {@code run --dry-run}. A supervised run gets the PID namespace only, made
     * directly (as root): the supervisor makes calls on the program's paths and must see what
     * the program sees.
     */
    public String describe(boolean supervised) {
        if (supervised) {
            return how.equals("as root")
                    ? "containment: own PID namespace for the policy's namespaces (syscage's mounts "
                            + "and /proc, which the supervisor shares); the run's processes end with it"
                    : "containment: child subreaper only (a supervised run gets a PID namespace as root only)";
        }
        return namespaces
                ? "containment: own PID and mount namespace (" + how + "); the run's processes end with it"
                : "containment: child subreaper only (" + how
                        + "); a process that kills the launcher can leave orphans";
    }
}
