package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run cache end to end (native/launcher/cache.c, docs/launcher.md#the-run-cache): real
 * {@code syscage run}s through the launcher's front end ({@code --cached-run}) in a stand-in
 * clone whose bin/syscage starts this build's classes, with the cache in a temporary directory.
 * Whether a run compiled or was served from the cache is read from SYSCAGE_CACHE_DEBUG's lines.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RunCacheTest {
    private static final String BASE = """
            version: 1
            name: base
            default: allow
            rules:
              - action: errno EPERM
                syscalls: [mkdir, mkdirat]
            """;
    private static final String TOP = """
            version: 1
            name: top
            include: [./base.yaml]
            default: allow
            rules:
              - action: errno ENOSYS
                syscalls: [io_uring_setup]
            """;

    @TempDir
    Path tmp;

    private Path root;
    private Path cache;
    private Path work;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void standInClone() throws IOException {
        root = Files.createDirectories(tmp.resolve("clone"));
        cache = tmp.resolve("cache");
        work = Files.createDirectories(tmp.resolve("work"));
        Files.createDirectories(root.resolve("enforcer/target"));
        Files.writeString(root.resolve("enforcer/target/syscage.jar"), "build 1");
        Files.createDirectories(root.resolve("native/build"));
        Files.copy(
                launcher(),
                root.resolve("native/build/syscage-launch"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Path script = Files.createDirectories(root.resolve("bin")).resolve("syscage");
        Files.writeString(
                script,
                "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                        + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                        + "' -Dsyscage.native.dir='" + launcher().getParent() + "' -Dsyscage.cache.root='" + root
                        + "' dev.syscage.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(work.resolve("base.yaml"), BASE);
        Files.writeString(work.resolve("top.yaml"), TOP);
    }

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void secondRunIsServedFromTheCacheAndStillConfined() throws Exception {
        Run first = run("--policy", "top.yaml", "--", "mkdir", "made");
        assertTrue(first.stored(), first.err);
        assertEquals(1, first.code, first.err); // mkdir: EPERM from the filter
        Run second = run("--policy", "top.yaml", "--", "mkdir", "made");
        assertTrue(second.hit(), second.err);
        assertEquals(1, second.code, second.err);
        assertTrue(second.err.contains("Operation not permitted"), second.err);
        assertFalse(Files.exists(work.resolve("made")));
        assertEquals(0, run("--policy", "top.yaml", "--", "true").code);
    }

    @Test
    void aPolicyFromStandardInputIsNeverStored() throws Exception {
        for (int i = 0; i < 2; i++) {
            Process p = start("--policy", "-", "--", "true");
            try (var in = p.getOutputStream()) {
                in.write(TOP.getBytes(StandardCharsets.UTF_8));
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run did not end");
            assertEquals(0, p.exitValue(), err);
            assertFalse(err.contains("syscage: cache: stored ") || err.contains("syscage: cache: hit "), err);
        }
        assertFalse(Files.exists(cache) && entries().length > 0, "no entry for a policy read from standard input");
    }

    @Test
    void aChangedIncludedFileCompilesAgain() throws Exception {
        assertTrue(run("--policy", "top.yaml", "--", "true").stored());
        Files.writeString(work.resolve("base.yaml"), BASE.replace("[mkdir, mkdirat]", "[mkdir, mkdirat, rmdir]"));
        Run again = run("--policy", "top.yaml", "--", "true");
        assertTrue(
                again.err.contains("miss: stale: input " + work.toRealPath().resolve("base.yaml") + " changed"),
                again.err);
        assertTrue(again.stored(), again.err);
        assertTrue(run("--policy", "top.yaml", "--", "true").hit());
    }

    @Test
    void aChangedBuildCompilesAgain() throws Exception {
        assertTrue(run("--profile", "default", "--", "true").stored());
        Files.writeString(root.resolve("enforcer/target/syscage.jar"), "build 2");
        Run again = run("--profile", "default", "--", "true");
        assertTrue(again.err.contains("miss: stale: jar differs"), again.err);
        assertTrue(again.stored(), again.err);
    }

    @Test
    void aChangedKernelFeatureCompilesAgain() throws Exception {
        assertTrue(run("--profile", "default", "--", "true").stored());
        Path entry = onlyEntry();
        String text = Files.readString(entry);
        String body = text.substring(0, text.lastIndexOf("sum "));
        String changed = body.replaceFirst("\nlandlock-abi (\\d+)\n", "\nlandlock-abi 99\n");
        assertTrue(!changed.equals(body), body);
        Files.writeString(entry, changed + "sum " + sha256(changed) + "\n"); // a whole, well-formed entry
        Run again = run("--profile", "default", "--", "true");
        assertTrue(again.err.contains("miss: stale: landlock-abi differs"), again.err);
        assertTrue(again.stored(), again.err);
    }

    @Test
    void aTruncatedEntryIsRebuilt() throws Exception {
        assertTrue(run("--profile", "default", "--", "true").stored());
        Path entry = onlyEntry();
        byte[] whole = Files.readAllBytes(entry);
        Files.write(entry, java.util.Arrays.copyOf(whole, whole.length / 2));
        Run again = run("--profile", "default", "--", "true");
        assertTrue(again.err.contains("(checksum)"), again.err);
        assertTrue(again.stored(), again.err);
        assertTrue(run("--profile", "default", "--", "true").hit());
    }

    @Test
    void aGroupWritableEntryIsIgnored() throws Exception {
        assertTrue(run("--profile", "default", "--", "true").stored());
        Files.setPosixFilePermissions(onlyEntry(), PosixFilePermissions.fromString("rw-rw-r--"));
        Run again = run("--profile", "default", "--", "true");
        assertTrue(again.err.contains("entry not trusted"), again.err);
        assertTrue(again.stored(), again.err);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(onlyEntry())));
    }

    @Test
    void anEntryOwnedByAnotherUserIsIgnored() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root to chown to nobody");
        assertTrue(run("--profile", "default", "--", "true").stored());
        Process chown = new ProcessBuilder("chown", "65534", onlyEntry().toString())
                .inheritIO()
                .start();
        assertEquals(0, chown.waitFor());
        Run again = run("--profile", "default", "--", "true");
        assertTrue(again.err.contains("entry not trusted (owner 65534"), again.err);
        assertTrue(again.stored(), again.err);
        assertTrue(run("--profile", "default", "--", "true").hit());
    }

    @Test
    void aCacheDirectoryOthersCanWriteIsNotUsed() throws Exception {
        Files.createDirectories(cache);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
        Run first = run("--profile", "default", "--", "true");
        assertEquals(0, first.code, first.err);
        assertTrue(first.err.contains("is not ours alone"), first.err);
        assertFalse(first.stored(), first.err);
    }

    @Test
    void noCacheNeitherUsesNorStores() throws Exception {
        Run run = run("--profile", "default", "--no-cache", "--", "true");
        assertEquals(0, run.code, run.err);
        assertTrue(run.err.contains("not cached"), run.err);
        assertFalse(Files.exists(cache) && entries().length > 0);
        assertTrue(run("--profile", "default", "--", "true").stored());
        Run bypass = run("--profile", "default", "--no-cache", "--", "true");
        assertFalse(bypass.hit(), bypass.err);
    }

    @Test
    void eightConcurrentFirstRunsAllSucceedAndLeaveOneEntry() throws Exception {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ps.add(start("--policy", "top.yaml", "--", "true"));
        }
        for (Process p : ps) {
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "a run did not end");
            assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(1, entries().length);
        try (Stream<Path> all = Files.list(cache)) {
            assertEquals(1, all.count(), "temporary files left behind");
        }
        assertTrue(run("--policy", "top.yaml", "--", "true").hit());
    }

    @Test
    void storingKeepsTheNewest256EntriesAndDropsOldTempFiles() throws Exception {
        Files.createDirectories(cache);
        Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwx------"));
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L);
        for (int i = 0; i < 300; i++) {
            Path e = cache.resolve(String.format("%032x.entry", i));
            Files.writeString(e, "not an entry");
            Files.setLastModifiedTime(e, java.nio.file.attribute.FileTime.fromMillis(old.toMillis() + i * 1000L));
        }
        Path tmpFile = cache.resolve(".tmp.abcdef");
        Files.writeString(tmpFile, "left by a crash");
        Files.setLastModifiedTime(tmpFile, old);
        assertTrue(run("--profile", "default", "--", "true").stored());
        assertEquals(256, entries().length);
        assertFalse(Files.exists(cache.resolve(String.format("%032x.entry", 44))), "the oldest go first");
        assertTrue(Files.exists(cache.resolve(String.format("%032x.entry", 45))));
        assertFalse(Files.exists(tmpFile));
        assertTrue(run("--profile", "default", "--", "true").hit());
    }

    private record Run(int code, String err) {
        boolean stored() {
            return err.contains("syscage: cache: stored ");
        }

        boolean hit() {
            return err.contains("syscage: cache: hit ");
        }
    }

    private Run run(String... args) throws Exception {
        Process p = start(args);
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run did not end");
        return new Run(p.exitValue(), new String(err, StandardCharsets.UTF_8));
    }

    private Process start(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of(launcher().toString(), "--cached-run", root.toString(), "run"));
        argv.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(argv).directory(work.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("SYSCAGE_") || k.equals("XDG_CACHE_HOME"));
        pb.environment().put("SYSCAGE_CACHE_DIR", cache.toString());
        pb.environment().put("SYSCAGE_CACHE_DEBUG", "1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private Path onlyEntry() throws IOException {
        Path[] e = entries();
        assertEquals(1, e.length);
        return e[0];
    }

    private Path[] entries() throws IOException {
        try (Stream<Path> all = Files.list(cache)) {
            return all.filter(f -> f.getFileName().toString().endsWith(".entry"))
                    .toArray(Path[]::new);
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static Path launcher() {
        Path p = Path.of(System.getProperty("syscage.native.dir", "../native/build"), "syscage-launch")
                .toAbsolutePath();
        assertTrue(Files.isExecutable(p), p + " is missing: build native/ first (make -C native)");
        return p;
    }
}
