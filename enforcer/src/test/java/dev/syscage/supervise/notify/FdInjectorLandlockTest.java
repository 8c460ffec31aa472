package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.nativeaccess.KernelLandlock;
import dev.syscage.nativeaccess.RawCalls;
import dev.syscage.nativeaccess.SeccompListener;
import dev.syscage.supervise.Decision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor's own calls in a Landlock domain that allows everything beneath {@code in/} and
 * nothing beneath {@code out/}: whatever the supervise rules say (here: allow everything), the
 * calls with effects fail with EACCES outside, as the program's own would, and work inside. The
 * {@code O_PATH} lookups are made on the test's thread, as on the supervisor's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FdInjectorLandlockTest {
    /** Nothing here injects: a listener that is never asked (made before any thread is restricted). */
    private static final SeccompListener NO_LISTENER = new FakeSeccompListener();

    private static final int EACCES = 13;
    private static final long O_RDONLY = 0;
    private static final long O_WRONLY = 01;
    private static final long O_RDWR = 02;
    private static final long O_CREAT = 0100;
    private static final long O_CLOEXEC = 02000000;
    private static final int S_IFIFO = 0010000;

    @TempDir
    Path base;

    private Path in;
    private Path out;
    private LandlockDomain domain;
    private FdInjector injector;
    private final List<Integer> fds = new ArrayList<>();

    @BeforeAll
    static void loadBeforeAnyThreadIsRestricted() {
        RawCalls.load();
    }

    @BeforeEach
    void tree() throws IOException {
        in = Files.createDirectory(base.resolve("in"));
        out = Files.createDirectory(base.resolve("out"));
        Files.writeString(in.resolve("file"), "12345");
        Files.writeString(out.resolve("exist"), "12345");
        domain = LandlockDomain.of(KernelLandlock.allBeneath(in));
        injector = new FdInjector(NO_LISTENER, domain);
    }

    @AfterEach
    void closeAll() {
        fds.forEach(FdInjector::closeQuietly);
        domain.close();
    }

    private int kept(int fd) {
        if (fd >= 0) {
            fds.add(fd);
        }
        return fd;
    }

    private int dir(Path p) {
        int fd = kept(injector.openDirectory(p.toString()));
        assertTrue(fd >= 0, "lookup of " + p + ": " + fd);
        return fd;
    }

    /** The O_PATH lookup (this thread), then the reopen with {@code flags} (the domain's): fd or -errno. */
    private int reopen(FdInjector with, Path p, long flags) {
        int found = kept(with.openFollowing(p.toString()));
        assertTrue(found >= 0, "lookup of " + p + ": " + found);
        return kept(with.reopen(found, flags | O_CLOEXEC, 0));
    }

    @Test
    void aReopenForWritingOutsideFailsAndInsideWorks() {
        assertEquals(-EACCES, reopen(injector, out.resolve("exist"), O_WRONLY));
        assertEquals(-EACCES, reopen(injector, out.resolve("exist"), O_RDONLY), "the domain handles reading too");
        assertTrue(reopen(injector, in.resolve("file"), O_RDWR) >= 0);
        assertTrue(
                reopen(new FdInjector(NO_LISTENER), out.resolve("exist"), O_WRONLY) >= 0,
                "without the domain the same reopen works: the refusal is Landlock's");
    }

    /** A supervise rule that allows everything does not let the supervisor's open create or reach a file outside. */
    @Test
    void aRaceFreeOpenTheRulesAllowStillEndsInEaccesOutside() {
        for (String name : List.of("new", "exist")) {
            Path p = out.resolve(name);
            OpenCall call = new OpenCall(O_RDWR | O_CREAT, 0644, 0, 0);
            OpenCall.Plan plan = call.plan(
                    Optional.of(p.toString()),
                    Optional.of(p.toString()),
                    (int) ProcessHandle.current().pid(),
                    (int) ProcessHandle.current().pid(),
                    022,
                    x -> Optional.empty());
            RaceFreeOpen.Result r =
                    new RaceFreeOpen(injector, real -> Decision.allow("every path"), () -> true).open(call, plan);
            assertEquals(-EACCES, r.fd(), name);
        }
        assertFalse(Files.exists(out.resolve("new")));
        OpenCall call = new OpenCall(O_RDWR | O_CREAT, 0644, 0, 0);
        String made = in.resolve("new").toString();
        OpenCall.Plan plan = call.plan(
                Optional.of(made),
                Optional.of(made),
                (int) ProcessHandle.current().pid(),
                (int) ProcessHandle.current().pid(),
                022,
                x -> Optional.empty());
        assertTrue(kept(new RaceFreeOpen(injector, real -> Decision.allow(""), () -> true)
                        .open(call, plan)
                        .fd())
                >= 0);
        assertTrue(Files.exists(in.resolve("new")));
    }

    @Test
    void callsThatAddOrRemoveNamesFailOutside() throws IOException {
        int o = dir(out);
        int i = dir(in);
        assertEquals(-EACCES, injector.mkdirat(o, "d", 0755), "mkdirat");
        assertEquals(-EACCES, injector.unlinkat(o, "exist", 0), "unlinkat");
        assertEquals(-EACCES, injector.renameat2(i, "file", o, "file", 0), "renameat2 into out");
        assertEquals(-EACCES, injector.renameat2(o, "exist", i, "taken", 0), "renameat2 out of out");
        assertEquals(-EACCES, injector.symlinkat("/etc/passwd", o, "link"), "symlinkat");
        assertEquals(-EACCES, injector.linkat(i, "file", o, "hard", 0), "linkat");
        assertEquals(-EACCES, injector.mknodat(o, "fifo", S_IFIFO | 0644, 0), "mknodat");
        int exist = kept(injector.openFollowing(out.resolve("exist").toString()));
        assertEquals(-EACCES, injector.truncateVia(exist, 0), "truncate");
        try (var listing = Files.list(out)) {
            assertEquals(List.of(out.resolve("exist")), listing.toList());
        }
        assertEquals("12345", Files.readString(out.resolve("exist")));
        assertEquals("12345", Files.readString(in.resolve("file")));

        assertEquals(0, injector.mkdirat(i, "d", 0755));
        assertEquals(0, injector.symlinkat("file", i, "link"));
        assertEquals(0, injector.linkat(i, "file", i, "hard", 0));
        assertEquals(0, injector.renameat2(i, "hard", i, "moved", 0));
        assertEquals(0, injector.unlinkat(i, "moved", 0));
        assertEquals(0, injector.mknodat(i, "fifo", S_IFIFO | 0644, 0));
        int file = kept(injector.openFollowing(in.resolve("file").toString()));
        assertEquals(0, injector.truncateVia(file, 2));
        assertEquals("12", Files.readString(in.resolve("file")));
    }

    /**
     * A FIFO's open blocks until its other end is opened: on a thread of the domain's own, as
     * {@link FifoOpens} makes it, the read end waits inside the domain and opens once a writer
     * comes; outside the allowed tree the open fails at once.
     */
    @Test
    void aFifoOpensOnAThreadOfTheDomain() throws Exception {
        assertEquals(0, new FdInjector(NO_LISTENER).mknodat(dir(in), "fifo", S_IFIFO | 0644, 0));
        assertEquals(0, new FdInjector(NO_LISTENER).mknodat(dir(out), "fifo", S_IFIFO | 0644, 0));
        int inFifo = kept(injector.openFollowing(in.resolve("fifo").toString()));
        int outFifo = kept(injector.openFollowing(out.resolve("fifo").toString()));
        CompletableFuture<Integer> reader = new CompletableFuture<>();
        CompletableFuture<Integer> outside = new CompletableFuture<>();
        domain.start(
                "unused",
                () -> {
                    FdInjector here = new FdInjector(NO_LISTENER); // this thread is in the domain
                    outside.complete(here.reopen(outFifo, O_RDONLY | O_CLOEXEC, 0));
                    reader.complete(here.reopen(inFifo, O_RDONLY | O_CLOEXEC, 0));
                },
                () -> reader.complete(-1));
        assertEquals(-EACCES, outside.get(10, TimeUnit.SECONDS));
        assertFalse(reader.isDone(), "the read end waits for a writer");
        int writer = kept(new FdInjector(NO_LISTENER).reopen(inFifo, O_WRONLY | O_CLOEXEC, 0));
        assertTrue(writer >= 0, "writer: " + writer);
        assertTrue(kept(reader.get(10, TimeUnit.SECONDS)) >= 0);
    }
}
