package dev.syscage.nativeaccess;

import static dev.syscage.nativeaccess.RawCalls.EACCES;
import static dev.syscage.nativeaccess.RawCalls.O_CREAT;
import static dev.syscage.nativeaccess.RawCalls.O_EXCL;
import static dev.syscage.nativeaccess.RawCalls.O_RDONLY;
import static dev.syscage.nativeaccess.RawCalls.O_RDWR;
import static dev.syscage.nativeaccess.RawCalls.O_WRONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.policy.landlock.Abi;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.LandlockRuleset.PortRule;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Landlock} against the kernel: a fresh thread put into a domain that allows everything
 * beneath one directory may do anything there and nothing beside it, while the JVM's other
 * threads go on unrestricted. Skipped only where the kernel has no Landlock.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LandlockTest {
    private final Landlock landlock = Landlock.instance();

    @TempDir
    Path dir;

    private Path allowed;
    private Path other;

    @BeforeAll
    static void loadBeforeAnyThreadIsRestricted() {
        RawCalls.load();
    }

    @BeforeEach
    void tree() throws IOException {
        allowed = Files.createDirectory(dir.resolve("allowed"));
        other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(allowed.resolve("g"), "g");
        Files.writeString(other.resolve("f"), "f");
    }

    /** {@code body}'s result on a new thread that {@code restrict}s itself first. */
    private static <T> T onNewThread(Runnable restrict, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(
                () -> {
                    try {
                        restrict.run();
                        result.complete(body.call());
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                },
                "landlock-test");
        t.start();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        } finally {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** What a thread may do to {@code allowed} and {@code other}: each call's 0 or -errno, by name. */
    private Map<String, Integer> attempts() {
        Map<String, Integer> r = new LinkedHashMap<>();
        r.put("read allowed/g", RawCalls.open(allowed.resolve("g").toString(), O_RDONLY));
        r.put("write allowed/g", RawCalls.open(allowed.resolve("g").toString(), O_WRONLY));
        r.put("create allowed/new", RawCalls.open(allowed.resolve("new").toString(), O_RDWR | O_CREAT | O_EXCL));
        r.put("mkdir allowed/d", RawCalls.mkdir(allowed.resolve("d").toString()));
        r.put("read other/f", RawCalls.open(other.resolve("f").toString(), O_RDONLY));
        r.put("write other/f", RawCalls.open(other.resolve("f").toString(), O_WRONLY));
        r.put("create other/new", RawCalls.open(other.resolve("new").toString(), O_RDWR | O_CREAT | O_EXCL));
        r.put("mkdir other/d", RawCalls.mkdir(other.resolve("d").toString()));
        return r;
    }

    @Test
    void aThreadInTheDomainMayDoAnythingBeneathItsPathAndNothingBesideIt() throws Exception {
        LandlockRuleset r = KernelLandlock.allBeneath(allowed);
        Map<String, Integer> got = onNewThread(() -> landlock.restrictCurrentThread(r), this::attempts);
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("read allowed/g", 0);
        expected.put("write allowed/g", 0);
        expected.put("create allowed/new", 0);
        expected.put("mkdir allowed/d", 0);
        expected.put("read other/f", -EACCES);
        expected.put("write other/f", -EACCES);
        expected.put("create other/new", -EACCES);
        expected.put("mkdir other/d", -EACCES);
        assertEquals(expected, got);
        assertFalse(Files.exists(other.resolve("new")));
        assertFalse(Files.exists(other.resolve("d")));
    }

    /** The domain holds the thread that asked for it, for good, and no other thread of the JVM. */
    @Test
    void theJvmsOtherThreadsAreNotInTheDomain() throws Exception {
        LandlockRuleset r = KernelLandlock.allBeneath(allowed);
        CountDownLatch restricted = new CountDownLatch(1);
        CountDownLatch othersWrote = new CountDownLatch(1);
        CompletableFuture<Integer> after = new CompletableFuture<>();
        Thread inDomain = new Thread(
                () -> {
                    try {
                        landlock.restrictCurrentThread(r);
                        restricted.countDown();
                        othersWrote.await(30, TimeUnit.SECONDS);
                        after.complete(RawCalls.open(other.resolve("f").toString(), O_WRONLY));
                    } catch (Throwable e) {
                        after.completeExceptionally(e);
                    }
                },
                "landlock-test");
        inDomain.start();
        try {
            assertTrue(restricted.await(30, TimeUnit.SECONDS), "the thread did not restrict itself");
            assertEquals(
                    0, RawCalls.open(other.resolve("f").toString(), O_WRONLY), "this thread, while one is in a domain");
            assertEquals(0, RawCalls.mkdir(other.resolve("d").toString()));
        } finally {
            othersWrote.countDown();
        }
        assertEquals(-EACCES, after.get(30, TimeUnit.SECONDS), "the thread in the domain, afterwards");
        inDomain.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Test
    void aMissingRequiredPathIsAnErrorNamingItAndAMissingOptionalOneIsSkipped() throws Exception {
        KernelLandlock.abiOrSkip();
        Path missing = dir.resolve("missing");
        LandlockRuleset required = new LandlockRuleset(
                FsAccess.WRITE_FILE,
                0,
                0,
                List.of(new PathRule(missing.toString(), FsAccess.WRITE_FILE, false, null)),
                List.of(),
                Compat.REQUIRED);
        Landlock.Failure f = assertThrows(Landlock.Failure.class, () -> landlock.createRuleset(required));
        assertEquals(
                "open(" + missing + ", O_PATH): No such file or directory (ENOENT). (Hint: a Landlock rule's path "
                        + "must exist when the run starts; mark the rule optional to skip it where it is missing.)",
                f.getMessage());
        assertEquals(2, f.errno());
        LandlockRuleset optional = new LandlockRuleset(
                FsAccess.WRITE_FILE,
                0,
                0,
                List.of(
                        new PathRule(missing.toString(), FsAccess.WRITE_FILE, true, null),
                        new PathRule(allowed.toString(), FsAccess.WRITE_FILE, false, null)),
                List.of(),
                Compat.REQUIRED);
        int[] got = onNewThread(() -> landlock.restrictCurrentThread(optional), () -> new int[] {
            RawCalls.open(allowed.resolve("g").toString(), O_WRONLY),
            RawCalls.open(other.resolve("f").toString(), O_WRONLY),
            RawCalls.open(other.resolve("f").toString(), O_RDONLY)
        });
        assertEquals(List.of(0, -EACCES, 0), List.of(got[0], got[1], got[2]), "only write is handled");
    }

    /** A rule on a file keeps the rights that mean something on a file; the kernel refuses the others. */
    @Test
    void aRuleOnAFileGrantsTheFileRightsOnly() throws Exception {
        int abi = KernelLandlock.abiOrSkip();
        Path f = other.resolve("f");
        LandlockRuleset r = new LandlockRuleset(
                        FsAccess.ALL,
                        0,
                        0,
                        List.of(new PathRule(f.toString(), FsAccess.ALL, false, null)),
                        List.of(),
                        Compat.BEST_EFFORT)
                .negotiate(new Abi(abi))
                .ruleset();
        int[] got = onNewThread(() -> landlock.restrictCurrentThread(r), () -> new int[] {
            RawCalls.open(f.toString(), O_RDWR),
            RawCalls.open(other.resolve("new").toString(), O_WRONLY | O_CREAT)
        });
        assertEquals(List.of(0, -EACCES), List.of(got[0], got[1]));
    }

    /** Network rules and scopes: the ruleset attr is 24 bytes, and a port with no rule cannot be bound. */
    @Test
    void portRulesAndScopesAreApplied() throws Exception {
        int abi = KernelLandlock.abiOrSkip();
        assumeTrue(abi >= 6, "this kernel's Landlock (ABI " + abi + ") has no scopes (ABI 6)");
        LandlockRuleset r = new LandlockRuleset(
                0,
                NetAccess.BIND_TCP,
                Scope.ALL,
                List.of(),
                List.of(new PortRule(NetAccess.BIND_TCP, 1, null)),
                Compat.REQUIRED);
        int[] got = onNewThread(() -> landlock.restrictCurrentThread(r), () ->
                new int[] {RawCalls.bindTcp(2), RawCalls.open(other.resolve("f").toString(), O_WRONLY)});
        assertEquals(List.of(-EACCES, 0), List.of(got[0], got[1]), "bind to a port without a rule; files unhandled");
    }

    @Test
    void aFailureNamesTheCallTheErrnoAndTheHint() {
        assertEquals(
                "landlock_restrict_self: Argument list too long (E2BIG). (Hint: this thread is in 16 stacked "
                        + "Landlock domains already, the kernel's limit.)",
                new Landlock.Failure(
                                "landlock_restrict_self",
                                7,
                                "this thread is in 16 stacked Landlock domains already, the kernel's limit")
                        .getMessage());
        assertEquals(
                "prctl(PR_SET_NO_NEW_PRIVS): Invalid argument (EINVAL)",
                new Landlock.Failure("prctl(PR_SET_NO_NEW_PRIVS)", 22, null).getMessage());
    }

    @Test
    void anEmptyRulesetMakesNoDomain() {
        assertThrows(IllegalArgumentException.class, () -> landlock.createRuleset(LandlockRuleset.NONE));
    }
}
