package dev.syscage.launch;

import static dev.syscage.launch.LaunchHarness.ALLOW_ALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import dev.syscage.launch.LaunchHarness.Result;
import dev.syscage.nativeaccess.SeccompNotify;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.LandlockRuleset.PortRule;
import dev.syscage.policy.landlock.NetAccess;
import dev.syscage.policy.landlock.Scope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The launcher's Landlock domain ({@code --landlock FILE}, {@code --landlock-fd N}): the ruleset
 * text that {@link LandlockRuleset#serialize()} writes is read strictly (every error with its
 * whole message, and a marker file proving the program never ran), negotiated with the kernel's
 * ABI (lowered with {@code SYSCAGE_LAUNCH_INJECT=landlock_abi:N}), and enforced by the kernel on
 * the program: reads outside the granted trees, block devices, {@code /proc/PID/mem} of an
 * outsider, signals to an outsider and TCP connects are refused, in plain, notify and trace mode.
 * The programs are {@code native/testprogs/try-access} (one line per access it tries) and sh.
 */
class LauncherLandlockTest {
    private static final String INJECT = "SYSCAGE_LAUNCH_INJECT";
    private static final long READ_EXEC = FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.EXECUTE;
    /** ABI 1 rights: what the file-system tests handle, so they run on any Landlock kernel. */
    private static final long ABI1_FS = (1L << 13) - 1;

    /** The kernel's Landlock ABI, 0 without Landlock. */
    private static int abi;

    @TempDir
    Path dir;

    private LaunchHarness h;
    private Path allow;
    private Path marker;
    private Path tryAccess;
    private int files;
    private final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void probeAbi() {
        try {
            abi = (int) SeccompNotify.syscall(444 /* landlock_create_ruleset */, 0, 0, 1 /* _VERSION */);
        } catch (LastErrorException e) {
            abi = 0; // ENOSYS: not built in; EOPNOTSUPP: disabled at boot
        }
    }

    private static void requireAbi(int needed) {
        assumeTrue(abi >= needed, "this kernel's Landlock ABI is " + abi + " (0: none); the test needs ABI " + needed);
    }

    @BeforeEach
    void setUp() throws IOException {
        h = new LaunchHarness(dir);
        allow = h.filter(ALLOW_ALL);
        marker = dir.resolve("program-ran");
        tryAccess = LaunchHarness.launcher().resolveSibling("testprogs/try-access");
        assertTrue(Files.isExecutable(tryAccess), tryAccess + " is missing: build native/ first (make -C native)");
    }

    @AfterEach
    void stopStarted() throws InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
            assertTrue(p.waitFor(LaunchHarness.TIMEOUT_SECONDS, TimeUnit.SECONDS), "outsider did not end");
        }
    }

    // ---- building rulesets and running the launcher

    /** A ruleset file with exactly this text. */
    private Path text(String content) throws IOException {
        return bytes(content.getBytes(StandardCharsets.UTF_8));
    }

    private Path bytes(byte[] content) throws IOException {
        Path p = dir.resolve("ruleset-" + (files++) + ".txt");
        Files.write(p, content);
        return p;
    }

    private Path ruleset(LandlockRuleset r) throws IOException {
        return text(r.serialize());
    }

    private static PathRule rule(Path path, long access) {
        return new PathRule(path.toString(), access, false, null);
    }

    private static PathRule optionalRule(Path path, long access) {
        return new PathRule(path.toString(), access, true, null);
    }

    /** What a dynamically linked program needs to start: read and execute its loader, libraries, itself. */
    private List<PathRule> system() {
        List<PathRule> rules = new ArrayList<>();
        rules.add(rule(Path.of("/usr"), READ_EXEC));
        rules.add(optionalRule(Path.of("/lib"), READ_EXEC));
        rules.add(optionalRule(Path.of("/lib64"), READ_EXEC));
        rules.add(optionalRule(Path.of("/bin"), READ_EXEC));
        rules.add(rule(Path.of("/etc"), FsAccess.READ_FILE | FsAccess.READ_DIR));
        rules.add(rule(tryAccess, FsAccess.READ_FILE | FsAccess.EXECUTE)); // a rule on a file
        return rules;
    }

    private static List<PathRule> with(List<PathRule> base, PathRule... more) {
        List<PathRule> all = new ArrayList<>(base);
        all.addAll(Arrays.asList(more));
        return all;
    }

    /** A ruleset that handles only making block devices: the smallest domain there is. */
    private static LandlockRuleset makeBlockOnly(Compat compat) {
        return new LandlockRuleset(FsAccess.MAKE_BLOCK, 0, 0, List.of(), List.of(), compat);
    }

    private Result launch(Path ruleset, Map<String, String> env, String... program) throws Exception {
        List<String> args =
                new ArrayList<>(List.of("--filter", allow.toString(), "--landlock", ruleset.toString(), "--"));
        args.addAll(Arrays.asList(program));
        return h.launchWithEnv(env, args.toArray(String[]::new));
    }

    /** try-access under the ruleset; its output lines. */
    private List<String> tryUnder(Path ruleset, String... accesses) throws Exception {
        return lines(launch(ruleset, Map.of(), tryProgram(accesses)));
    }

    /** try-access with the filter alone, no Landlock: the control. */
    private List<String> tryWithout(String... accesses) throws Exception {
        List<String> args = new ArrayList<>(List.of("--filter", allow.toString(), "--"));
        args.addAll(Arrays.asList(tryProgram(accesses)));
        return lines(h.launch(args.toArray(String[]::new)));
    }

    private String[] tryProgram(String... accesses) {
        String[] cmd = new String[accesses.length + 1];
        cmd[0] = tryAccess.toString();
        System.arraycopy(accesses, 0, cmd, 1, accesses.length);
        return cmd;
    }

    private static List<String> lines(Result r) {
        assertEquals(0, r.code(), r.toString());
        assertEquals("", r.err(), r.toString());
        return Arrays.asList(r.out().split("\n"));
    }

    private void assertFailedBeforeExec(Result r, String stderr) {
        assertEquals(125, r.code(), r.toString());
        assertEquals(stderr, r.err());
        assertFalse(Files.exists(marker), "the program ran although the launcher failed");
    }

    private Result launchTouch(Path ruleset, Map<String, String> env) throws Exception {
        return launch(ruleset, env, "touch", marker.toString());
    }

    /** A process of the test's own, outside any domain, that lives until the test ends. */
    private long outsider() throws IOException {
        Process p = new ProcessBuilder("sleep", "600").start();
        started.add(p);
        return p.pid();
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    // ---- the kernel enforces the domain

    @Test
    void readsOutsideTheGrantedTreesFailWithEaccesInsideReadAndWriteWork() throws Exception {
        requireAbi(1);
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(in.resolve("a"), "a");
        Files.writeString(out.resolve("b"), "b");
        Path r = ruleset(
                new LandlockRuleset(ABI1_FS, 0, 0, with(system(), rule(in, ABI1_FS)), List.of(), Compat.REQUIRED));
        assertEquals(
                List.of(
                        "read:" + in.resolve("a") + " ok",
                        "write:" + in.resolve("new") + " ok",
                        "list:" + in + " ok",
                        "read:" + out.resolve("b") + " errno EACCES",
                        "write:" + out.resolve("new") + " errno EACCES",
                        "list:" + out + " errno EACCES"),
                tryUnder(
                        r,
                        "read:" + in.resolve("a"),
                        "write:" + in.resolve("new"),
                        "list:" + in,
                        "read:" + out.resolve("b"),
                        "write:" + out.resolve("new"),
                        "list:" + out));
        assertEquals("x", Files.readString(in.resolve("new")));
        assertFalse(Files.exists(out.resolve("new")));
    }

    @Test
    void aRuleOnAFileKeepsOnlyTheFileRights() throws Exception {
        // read_dir on a file is refused by the kernel (EINVAL); the launcher drops it and keeps read_file.
        requireAbi(1);
        Path file = Files.writeString(dir.resolve("one"), "1");
        Path other = Files.writeString(dir.resolve("two"), "2");
        long fs = READ_EXEC;
        Path r = ruleset(new LandlockRuleset(
                fs,
                0,
                0,
                with(system(), rule(file, FsAccess.READ_FILE | FsAccess.READ_DIR)),
                List.of(),
                Compat.REQUIRED));
        assertEquals(
                List.of("read:" + file + " ok", "read:" + other + " errno EACCES"),
                tryUnder(r, "read:" + file, "read:" + other));
    }

    @Test
    void underContainARuleForProcNamesTheRunsOwnProc() throws Exception {
        requireAbi(1);
        dev.syscage.run.Containment c = dev.syscage.run.Containment.probe(LaunchHarness.launcher());
        org.junit.jupiter.api.Assumptions.assumeTrue(c.namespaces(), "no namespaces for the launcher here: " + c.how());
        // --contain mounts a fresh /proc: a rule for /proc must be opened after that mount, or it
        // names the host's /proc, which the program no longer sees, and every read there is EACCES
        Path r = ruleset(new LandlockRuleset(
                ABI1_FS, 0, 0, with(system(), rule(Path.of("/proc"), READ_EXEC)), List.of(), Compat.REQUIRED));
        List<String> args =
                new ArrayList<>(List.of("--filter", allow.toString(), "--landlock", r.toString(), "--contain", "--"));
        args.addAll(Arrays.asList(tryProgram("list:/proc/self", "read:/proc/self/status")));
        assertEquals(
                List.of("list:/proc/self ok", "read:/proc/self/status ok"),
                lines(h.launch(args.toArray(String[]::new))));
    }

    @Test
    void blockDevicesCannotBeMadeWhenMakeBlockIsHandled() throws Exception {
        requireAbi(1);
        Path node = dir.resolve("loop");
        assertEquals(
                List.of("mkblk:" + node + " errno EACCES"),
                tryUnder(ruleset(makeBlockOnly(Compat.REQUIRED)), "mkblk:" + node));
        if (root()) { // the control: only CAP_MKNOD may make one at all
            assertEquals(List.of("mkblk:" + node + " ok"), tryWithout("mkblk:" + node));
        }
    }

    @Test
    void procMemOfAnOutsiderIsRefusedUnderAnyDomain() throws Exception {
        requireAbi(1);
        long pid = outsider();
        assertEquals(
                List.of("mem:" + pid + " errno EACCES"),
                tryUnder(ruleset(makeBlockOnly(Compat.REQUIRED)), "mem:" + pid));
        if (root()) { // the control: without a domain, root opens it
            assertEquals(List.of("mem:" + pid + " ok"), tryWithout("mem:" + pid));
        }
    }

    @Test
    void theSignalScopeStopsSignalsToOutsidersButNotToOwnChildren() throws Exception {
        requireAbi(6);
        long pid = outsider();
        Path scoped = ruleset(new LandlockRuleset(0, 0, Scope.SIGNAL, List.of(), List.of(), Compat.REQUIRED));
        assertEquals(
                List.of("kill0:" + pid + " errno EPERM", "child:15 ok"), tryUnder(scoped, "kill0:" + pid, "child:15"));
        // The same domain without the scope lets the signal through.
        assertEquals(
                List.of("kill0:" + pid + " ok", "child:15 ok"),
                tryUnder(ruleset(makeBlockOnly(Compat.REQUIRED)), "kill0:" + pid, "child:15"));
    }

    @Test
    void tcpConnectNeedsThePortGrantedWhenConnectIsHandled() throws Exception {
        requireAbi(4);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Path denied =
                    ruleset(new LandlockRuleset(0, NetAccess.CONNECT_TCP, 0, List.of(), List.of(), Compat.REQUIRED));
            assertEquals(List.of("connect:" + port + " errno EACCES"), tryUnder(denied, "connect:" + port));
            Path granted = ruleset(new LandlockRuleset(
                    0,
                    NetAccess.CONNECT_TCP,
                    0,
                    List.of(),
                    List.of(new PortRule(NetAccess.CONNECT_TCP, port, null)),
                    Compat.REQUIRED));
            assertEquals(List.of("connect:" + port + " ok"), tryUnder(granted, "connect:" + port));
        }
    }

    @Test
    void anEmptyRulesetMakesNoDomain() throws Exception {
        assumeTrue(root(), "the control needs root to open /proc/PID/mem of another process");
        long pid = outsider();
        // Nothing handled: no Landlock call at all, so even a kernel without Landlock runs it under 'required'.
        Path empty = ruleset(LandlockRuleset.NONE);
        assertEquals(
                List.of("mem:" + pid + " ok"),
                lines(launch(empty, Map.of(INJECT, "landlock_abi:0"), tryProgram("mem:" + pid))));
    }

    // ---- paths that do not exist

    @Test
    void aMissingRequiredPathFailsBeforeExec() throws Exception {
        requireAbi(1);
        Path missing = dir.resolve("not-there");
        Path r = ruleset(new LandlockRuleset(
                FsAccess.MAKE_BLOCK, 0, 0, List.of(rule(missing, FsAccess.MAKE_BLOCK)), List.of(), Compat.REQUIRED));
        assertFailedBeforeExec(
                launchTouch(r, Map.of()),
                "syscage-launch: " + r + ": line 6: open(" + missing
                        + "): No such file or directory. (Hint: a Landlock path rule needs its path to exist; the policy can "
                        + "mark it optional.)\n");
    }

    @Test
    void aMissingRequiredPathFailsBeforeExecUnderContainToo() throws Exception {
        requireAbi(1);
        dev.syscage.run.Containment c = dev.syscage.run.Containment.probe(LaunchHarness.launcher());
        org.junit.jupiter.api.Assumptions.assumeTrue(c.namespaces(), "no namespaces for the launcher here: " + c.how());
        Path missing = dir.resolve("not-there");
        Path r = ruleset(new LandlockRuleset(
                FsAccess.MAKE_BLOCK, 0, 0, List.of(rule(missing, FsAccess.MAKE_BLOCK)), List.of(), Compat.REQUIRED));
        // the rules are made inside the contained run (after its mounts): the failure still ends it
        assertFailedBeforeExec(
                h.launch(
                        "--filter",
                        allow.toString(),
                        "--landlock",
                        r.toString(),
                        "--contain",
                        "--",
                        "touch",
                        marker.toString()),
                "syscage-launch: " + r + ": line 6: open(" + missing
                        + "): No such file or directory. (Hint: a Landlock path rule needs its path to exist; the policy can "
                        + "mark it optional.)\n");
    }

    @Test
    void aMissingOptionalPathIsSkippedQuietly() throws Exception {
        requireAbi(1);
        Path r = ruleset(new LandlockRuleset(
                FsAccess.MAKE_BLOCK,
                0,
                0,
                List.of(
                        optionalRule(dir.resolve("not-there"), FsAccess.MAKE_BLOCK),
                        optionalRule(dir.resolve("file/under-a-file"), FsAccess.MAKE_BLOCK)),
                List.of(),
                Compat.REQUIRED));
        Files.writeString(dir.resolve("file"), "");
        Result run = launchTouch(r, Map.of());
        assertEquals(0, run.code(), run.toString());
        assertEquals("", run.err());
        assertTrue(Files.exists(marker));
    }

    // ---- ABI negotiation

    /** fs: ABI 1, net: ABI 4, scope: ABI 6. */
    private static LandlockRuleset acrossAbis(Compat compat) {
        return new LandlockRuleset(
                FsAccess.MAKE_BLOCK, NetAccess.CONNECT_TCP, Scope.SIGNAL, List.of(), List.of(), compat);
    }

    @Test
    void bestEffortOnAnOlderAbiDropsWhatItLacksWithAWarningAndKeepsTheRest() throws Exception {
        requireAbi(3);
        long pid = outsider();
        Path node = dir.resolve("loop");
        Result r = launch(
                ruleset(acrossAbis(Compat.BEST_EFFORT)),
                Map.of(INJECT, "landlock_abi:3"),
                tryProgram("mkblk:" + node, "kill0:" + pid));
        assertEquals(0, r.code(), r.toString());
        assertEquals(
                "syscage-launch: warning: this kernel has Landlock ABI 3, and the ruleset needs ABI 6 (Linux 6.12) "
                        + "for net.connect_tcp, scope.signal: they are NOT enforced\n",
                r.err());
        // make_block (ABI 1) is still enforced; the signal scope is gone.
        assertEquals("mkblk:" + node + " errno EACCES\nkill0:" + pid + " ok\n", r.out());
    }

    @Test
    void requiredOnAnOlderAbiFailsNamingWhatIsMissing() throws Exception {
        requireAbi(3);
        assertFailedBeforeExec(
                launchTouch(ruleset(acrossAbis(Compat.REQUIRED)), Map.of(INJECT, "landlock_abi:3")),
                "syscage-launch: this kernel has Landlock ABI 3, and the ruleset needs ABI 6 (Linux 6.12) for "
                        + "net.connect_tcp, scope.signal; it says 'compat required', so the program is not run\n");
    }

    @Test
    void theAbiNeededIsTheNewestOfWhatIsDropped() throws Exception {
        requireAbi(1);
        long fs = FsAccess.READ_FILE | FsAccess.REFER | FsAccess.TRUNCATE | FsAccess.IOCTL_DEV;
        Path r = ruleset(new LandlockRuleset(fs, 0, 0, List.of(), List.of(), Compat.REQUIRED));
        assertFailedBeforeExec(
                launchTouch(r, Map.of(INJECT, "landlock_abi:1")),
                "syscage-launch: this kernel has Landlock ABI 1, and the ruleset needs ABI 5 (Linux 6.10) for "
                        + "fs.refer, fs.truncate, fs.ioctl_dev; it says 'compat required', so the program is not run\n");
    }

    @Test
    void withoutLandlockRequiredFailsWithTheHint() throws Exception {
        assertFailedBeforeExec(
                launchTouch(ruleset(acrossAbis(Compat.REQUIRED)), Map.of(INJECT, "landlock_abi:0")),
                "syscage-launch: landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): Operation not "
                        + "supported. (Hint: Landlock is built in but not enabled: add landlock to the lsm= list on "
                        + "the kernel command line (or to CONFIG_LSM); the ruleset needs ABI 6 (Linux 6.12) and says "
                        + "'compat required', so the program is not run.)\n");
    }

    @Test
    void withoutLandlockBestEffortRunsWithTheWarning() throws Exception {
        Result r = launchTouch(ruleset(acrossAbis(Compat.BEST_EFFORT)), Map.of(INJECT, "landlock_abi:0"));
        assertEquals(0, r.code(), r.toString());
        assertEquals(
                "syscage-launch: warning: Landlock is not available: file-system, network and scope rules are "
                        + "NOT enforced (landlock_create_ruleset: Operation not supported)\n",
                r.err());
        assertTrue(Files.exists(marker));
    }

    @Test
    void anInjectedAbiAboveTheKernelsChangesNothing() throws Exception {
        requireAbi(1);
        // landlock_abi only lowers: 99 is the kernel's own ABI, and the domain is made as without it.
        Path node = dir.resolve("loop");
        Result r = launch(
                ruleset(makeBlockOnly(Compat.REQUIRED)),
                Map.of(INJECT, "landlock_abi:99"),
                tryProgram("mkblk:" + node));
        assertEquals(0, r.code(), r.toString());
        assertEquals("mkblk:" + node + " errno EACCES\n", r.out());
    }

    @Test
    void aFailingRestrictSelfFailsBeforeExec() throws Exception {
        requireAbi(1);
        assertFailedBeforeExec(
                launchTouch(ruleset(makeBlockOnly(Compat.REQUIRED)), Map.of(INJECT, "landlock_restrict:EPERM")),
                "syscage-launch: landlock_restrict_self: Operation not permitted. (Hint: Landlock needs "
                        + "no_new_privs or CAP_SYS_ADMIN, and PR_SET_NO_NEW_PRIVS did not take effect.)\n");
    }

    @Test
    void noNewPrivsStillComesFirstAndFailsAsBefore() throws Exception {
        requireAbi(1);
        assertFailedBeforeExec(
                launchTouch(
                        ruleset(makeBlockOnly(Compat.REQUIRED)),
                        Map.of(INJECT, "no_new_privs:EPERM,landlock_restrict:E2BIG")),
                "syscage-launch: prctl(PR_SET_NO_NEW_PRIVS): Operation not permitted\n");
    }

    @Test
    void malformedAbiInjectionFailsClosed() throws Exception {
        assertFailedBeforeExec(
                launchTouch(ruleset(makeBlockOnly(Compat.BEST_EFFORT)), Map.of(INJECT, "landlock_abi:EINVAL")),
                "syscage-launch: SYSCAGE_LAUNCH_INJECT: 'landlock_abi:EINVAL' is not a Landlock ABI version "
                        + "(a number, 0 for no Landlock)\n");
    }

    // ---- the ruleset file: every error kind, with its whole message

    private static final String HEAD = "syscage-landlock 1\ncompat required\nfs 0x800\nnet 0x2\nscope 0x0\n";

    static Stream<Arguments> malformedRulesets() {
        return Stream.of(
                Arguments.of(
                        "wrong first line",
                        "syscage-landlock 2\n",
                        "line 1: expected 'syscage-landlock 1', got " + "'syscage-landlock 2'"),
                Arguments.of(
                        "unknown compat",
                        "syscage-landlock 1\ncompat sometimes\n",
                        "line 2: expected 'compat required' or 'compat best-effort', got 'compat sometimes'"),
                Arguments.of(
                        "header line missing",
                        "syscage-landlock 1\ncompat required\nnet 0x0\n",
                        "line 3: expected 'fs 0xHEX', got 'net 0x0'"),
                Arguments.of(
                        "bad hex",
                        "syscage-landlock 1\ncompat required\nfs 0x8g0\n",
                        "line 3: '0x8g0' is not a hexadecimal number (0x and 1 to 16 hexadecimal digits)"),
                Arguments.of(
                        "hex without 0x",
                        "syscage-landlock 1\ncompat required\nfs 800\n",
                        "line 3: '800' is not a hexadecimal number (0x and 1 to 16 hexadecimal digits)"),
                Arguments.of(
                        "unknown right",
                        "syscage-landlock 1\ncompat required\nfs 0x10800\n",
                        "line 3: fs 0x10800 holds bits this launcher does not know as Landlock rights (0x10000; it "
                                + "knows 0xffff)"),
                Arguments.of(
                        "unknown keyword",
                        HEAD + "paths 0x800 required /tmp\nend\n",
                        "line 6: unknown keyword 'paths' (expected path, port or end)"),
                Arguments.of(
                        "header line again",
                        HEAD + "fs 0x800\nend\n",
                        "line 6: unknown keyword 'fs' (expected path, port or end)"),
                Arguments.of(
                        "path rule outside the handled set",
                        HEAD + "path 0x804 required /tmp\nend\n",
                        "line 6: the rule grants read_file, which 'fs 0x800' does not handle"),
                Arguments.of(
                        "port rule outside the handled set",
                        HEAD + "port 0x3 80\nend\n",
                        "line 6: the rule grants bind_tcp, which 'net 0x2' does not handle"),
                Arguments.of(
                        "rule granting nothing",
                        HEAD + "path 0x0 required /tmp\nend\n",
                        "line 6: the rule grants no rights (0x0)"),
                Arguments.of(
                        "neither required nor optional",
                        HEAD + "path 0x800 maybe /tmp\nend\n",
                        "line 6: expected 'required' or 'optional', got 'maybe'"),
                Arguments.of(
                        "path rule without a path",
                        HEAD + "path 0x800 required\nend\n",
                        "line 6: expected 'path 0xHEX required|optional PATH', got 'path 0x800 required'"),
                Arguments.of(
                        "two spaces",
                        HEAD + "path 0x800  required /tmp\nend\n",
                        "line 6: expected 'path 0xHEX required|optional PATH', got 'path 0x800  required /tmp'"),
                Arguments.of(
                        "relative path",
                        HEAD + "path 0x800 required tmp/x\nend\n",
                        "line 6: the path 'tmp/x' is not absolute"),
                Arguments.of(
                        "bad %-escape",
                        HEAD + "path 0x800 required /tmp/a%2g\nend\n",
                        "line 6: bad %-escape '%2g' in the path: '%' must be followed by two hexadecimal digits"),
                Arguments.of(
                        "cut %-escape",
                        HEAD + "path 0x800 required /tmp/a%2\nend\n",
                        "line 6: bad %-escape '%2' in the path: '%' must be followed by two hexadecimal digits"),
                Arguments.of(
                        "NUL as %00",
                        HEAD + "path 0x800 required /tmp/a%00b\nend\n", "line 6: the path holds a NUL byte (%00)"),
                Arguments.of(
                        "byte that must be escaped",
                        HEAD + "path 0x800 required /tmp/\u00e9\nend\n",
                        "line 6: byte 0xc3 in the path must be written %c3"),
                Arguments.of(
                        "port over 65535",
                        HEAD + "port 0x2 65536\nend\n",
                        "line 6: '65536' is not a port number (0 to 65535)"),
                Arguments.of(
                        "port not a number",
                        HEAD + "port 0x2 http\nend\n",
                        "line 6: 'http' is not a port number (0 to 65535)"),
                Arguments.of("end with more", HEAD + "end now\n", "line 6: expected 'end', got 'end now'"),
                Arguments.of("text after end", HEAD + "end\n\n", "line 7: text after 'end'"),
                Arguments.of(
                        "NUL byte", HEAD + "path 0x800 required /tmp\0x\nend\n", "line 6: the line holds a NUL byte"),
                Arguments.of(
                        "control bytes are shown escaped",
                        "syscage-landlock 1\r\n",
                        "line 1: expected 'syscage-landlock 1', got 'syscage-landlock 1\\x0d'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRulesets")
    void aMalformedRulesetFailsBeforeExecNamingTheLine(String kind, String content, String message) throws Exception {
        Path r = text(content);
        assertFailedBeforeExec(launchTouch(r, Map.of()), "syscage-launch: " + r + ": " + message + "\n");
    }

    @Test
    void aRulesetWithoutEndIsCutShort() throws Exception {
        Path r = text(HEAD + "path 0x800 required /tmp\n");
        assertFailedBeforeExec(
                launchTouch(r, Map.of()),
                "syscage-launch: " + r
                        + ": the Landlock ruleset ends after line 6 without 'end': the file is cut short\n");
    }

    @Test
    void aRulesetCutInTheMiddleOfALineIsCutShort() throws Exception {
        // "/tm" would be a valid path: the missing LF is what tells the file was cut.
        Path r = text(HEAD + "path 0x800 required /tm");
        assertFailedBeforeExec(
                launchTouch(r, Map.of()),
                "syscage-launch: " + r
                        + ": the Landlock ruleset ends in the middle of line 6, without 'end': the file is cut short\n");
    }

    @Test
    void anEmptyRulesetFileIsRefused() throws Exception {
        Path r = text("");
        assertFailedBeforeExec(
                launchTouch(r, Map.of()),
                "syscage-launch: " + r
                        + ": the Landlock ruleset is empty (0 bytes); it starts with 'syscage-landlock 1'\n");
    }

    @Test
    void aRulesetOverOneMebibyteIsRefused() throws Exception {
        StringBuilder b = new StringBuilder(HEAD);
        while (b.length() <= 1024 * 1024) {
            b.append("path 0x800 optional /tmp/padding-padding-padding-padding-padding-padding\n");
        }
        b.append("end\n");
        Path r = text(b.toString());
        assertFailedBeforeExec(
                launchTouch(r, Map.of()),
                "syscage-launch: " + r + ": the Landlock ruleset is " + Files.size(r)
                        + " bytes; the launcher reads at most 1048576\n");
    }

    @Test
    void aMissingRulesetFileFailsBeforeExec() throws Exception {
        Path r = dir.resolve("nope.txt");
        assertFailedBeforeExec(
                launchTouch(r, Map.of()), "syscage-launch: open(" + r + "): No such file or directory\n");
    }

    @Test
    void whatSerializeWritesIsReadWithEscapedPathsAndEndWithoutNewline() throws Exception {
        requireAbi(1);
        Path odd = Files.createDirectories(dir.resolve("with space%and\u00e9"));
        LandlockRuleset rs = new LandlockRuleset(
                FsAccess.MAKE_BLOCK, 0, 0, List.of(rule(odd, FsAccess.MAKE_BLOCK)), List.of(), Compat.REQUIRED);
        assertTrue(rs.serialize().contains("with%20space%25and%c3%a9"), rs.serialize());
        String text = rs.serialize();
        Path r = text(text.substring(0, text.length() - 1)); // "end" with no LF is the end too
        Result run = launch(r, Map.of(), tryProgram("mkblk:" + odd.resolve("dev"), "mkblk:" + dir.resolve("dev")));
        assertEquals(0, run.code(), run.toString());
        if (root()) { // granted beneath the odd path only; elsewhere denied by the domain
            assertEquals(
                    "mkblk:" + odd.resolve("dev") + " ok\nmkblk:" + dir.resolve("dev") + " errno EACCES\n", run.out());
        }
    }

    // ---- the command line and the fds

    @Test
    void theRulesetMayComeOnAnFdWhichIsReadAndClosed() throws Exception {
        requireAbi(1);
        Path r = ruleset(makeBlockOnly(Compat.REQUIRED));
        String script = "exec \"$0\" \"$@\" 5<'" + r + "'";
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                script,
                LaunchHarness.launcher().toString(),
                "--filter",
                allow.toString(),
                "--landlock-fd",
                "5",
                "--",
                "ls",
                "/proc/self/fd"));
        Result run = h.run(cmd, Map.of());
        assertEquals(0, run.code(), run.toString());
        // 0-2, and 3: ls's own directory fd. Neither fd 5 nor the ruleset's fd reaches the program.
        assertEquals(List.of("0", "1", "2", "3"), Arrays.asList(run.out().trim().split("\n")));
    }

    @Test
    void landlockUsageErrorsFailBeforeExec() throws Exception {
        Path r = ruleset(makeBlockOnly(Compat.REQUIRED));
        String hint = "Try 'syscage-launch --help'.\n";
        assertFailedBeforeExec(
                h.launch(
                        "--filter",
                        allow.toString(),
                        "--landlock",
                        r.toString(),
                        "--landlock-fd",
                        "0",
                        "--",
                        "touch",
                        marker.toString()),
                "syscage-launch: give at most one of --landlock FILE and --landlock-fd N\n" + hint);
        assertFailedBeforeExec(
                h.launch("--filter-fd", "0", "--landlock-fd", "0", "--", "touch", marker.toString()),
                "syscage-launch: --filter-fd and --landlock-fd are both 0: each is read to end of file and closed\n"
                        + hint);
        assertFailedBeforeExec(
                h.launch(
                        "--filter",
                        allow.toString(),
                        "--landlock-fd",
                        "7",
                        "--keep-fd",
                        "7",
                        "--",
                        "touch",
                        marker.toString()),
                "syscage-launch: --keep-fd 7: that is the Landlock ruleset fd, which the launcher reads and closes\n"
                        + hint);
        assertFailedBeforeExec(
                h.launch("--filter", allow.toString(), "--landlock-fd", "x", "--", "touch", marker.toString()),
                "syscage-launch: --landlock-fd: 'x' is not a file descriptor number\n" + hint);
    }

    @Test
    void keepingAnFdThatIsNotOpenStillFailsWhenTheRulesetTakesItsNumber() throws Exception {
        requireAbi(1);
        // fd 3 is free when the launcher starts, so the ruleset gets it; --keep-fd 3 must still fail.
        assertFailedBeforeExec(
                h.launch(
                        "--filter",
                        allow.toString(),
                        "--landlock",
                        ruleset(makeBlockOnly(Compat.REQUIRED)).toString(),
                        "--keep-fd",
                        "3",
                        "--",
                        "touch",
                        marker.toString()),
                "syscage-launch: --keep-fd 3: fcntl(F_GETFD): Bad file descriptor. (Hint: the fd is not open.)\n");
    }

    @Test
    void helpNamesTheLandlockOptions() throws Exception {
        Result r = h.launch("--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                r.out()
                        .startsWith("Usage: syscage-launch (--filter FILE | --filter-fd N) "
                                + "[--landlock FILE | --landlock-fd N]\n"),
                r.out());
        assertTrue(
                r.out().contains("  --landlock-fd N  read the Landlock ruleset from the inherited file descriptor N\n"),
                r.out());
    }

    // ---- notify and trace mode: the same domain in the program's process

    /** The tree the mode tests read: in/a granted, out/b not. */
    private Path modeRuleset() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.createDirectories(dir.resolve("out"));
        Files.writeString(in.resolve("a"), "a");
        Files.writeString(dir.resolve("out/b"), "b");
        return ruleset(
                new LandlockRuleset(ABI1_FS, 0, 0, with(system(), rule(in, ABI1_FS)), List.of(), Compat.REQUIRED));
    }

    private String[] modeAccesses(long outsider) {
        return new String[] {"read:" + dir.resolve("in/a"), "read:" + dir.resolve("out/b"), "mem:" + outsider};
    }

    private String modeExpected(long outsider) {
        return "read:" + dir.resolve("in/a") + " ok\nread:" + dir.resolve("out/b") + " errno EACCES\nmem:" + outsider
                + " errno EACCES\n";
    }

    /**
     * Plays the notify supervisor as LauncherNotifyHandoffTest does, with the pidfd handoff: the
     * filter allows everything, so nothing needs answering. P checks that the listener got the
     * number it reported, which the ruleset's fd, closed just before seccomp(), must not upset.
     */
    private static final String NOTIFY_SUPERVISOR = """
            import os, subprocess, sys
            args = sys.argv[1:]
            os.mkfifo('report'); os.mkfifo('go')
            p = subprocess.Popen([args[0], '--notify-handshake', 'report,go'] + args[1:])
            report = open('report', 'rb', buffering=0)
            go = open('go', 'wb', buffering=0)
            line = report.readline().split()
            try:
                if line:
                    go.write(b'p')
                    go.write(b'g')
            except BrokenPipeError:
                pass  # P failed before exec and is gone: its status says how
            sys.exit(p.wait())
            """;

    /** Plays the trace supervisor: seizes the launcher's child, lets it go, passes its signals on. */
    private static final String TRACER = """
            import ctypes, os, subprocess, sys
            libc = ctypes.CDLL(None, use_errno=True)
            args = sys.argv[1:]
            os.mkfifo('report'); os.mkfifo('go')
            p = subprocess.Popen([args[0], '--trace-handshake', 'report,go', '--tracer', str(os.getpid())] + args[1:])
            report = open('report', 'rb', buffering=0)
            go = open('go', 'wb', buffering=0)
            line = report.readline()
            if line:
                pid = int(line)
                if libc.ptrace(ctypes.c_long(0x4206), ctypes.c_long(pid), None, None) != 0:  # PTRACE_SEIZE
                    sys.exit('PTRACE_SEIZE: errno %d' % ctypes.get_errno())
                go.write(b'g')
                while True:
                    _, status = os.waitpid(pid, 0x40000000)  # __WALL
                    if os.WIFEXITED(status) or os.WIFSIGNALED(status):
                        break
                    sig = os.WSTOPSIG(status)
                    libc.ptrace(ctypes.c_long(7), ctypes.c_long(pid), None, ctypes.c_void_p(sig))  # PTRACE_CONT
            sys.exit(p.wait())
            """;

    private Result supervised(String script, Path ruleset, String... program) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        Path py = dir.resolve("supervisor.py");
        Files.writeString(py, script);
        List<String> cmd = new ArrayList<>(List.of(
                "python3",
                py.toString(),
                LaunchHarness.launcher().toString(),
                "--filter",
                allow.toString(),
                "--landlock",
                ruleset.toString(),
                "--"));
        cmd.addAll(Arrays.asList(program));
        return h.run(cmd, Map.of());
    }

    @Test
    void notifyModeEnforcesTheSameDomain() throws Exception {
        requireAbi(1);
        long pid = outsider();
        Result r = supervised(NOTIFY_SUPERVISOR, modeRuleset(), tryProgram(modeAccesses(pid)));
        assertEquals(0, r.code(), r.toString());
        assertEquals(modeExpected(pid), r.out());
        assertEquals("", r.err());
    }

    @Test
    void notifyModeFailsBeforeExecWhenRestrictSelfFails() throws Exception {
        requireAbi(1);
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        Path py = dir.resolve("supervisor.py");
        Files.writeString(py, NOTIFY_SUPERVISOR);
        Result r = h.run(
                List.of(
                        "python3",
                        py.toString(),
                        LaunchHarness.launcher().toString(),
                        "--filter",
                        allow.toString(),
                        "--landlock",
                        ruleset(makeBlockOnly(Compat.REQUIRED)).toString(),
                        "--",
                        "touch",
                        marker.toString()),
                Map.of(INJECT, "landlock_restrict:EPERM"));
        assertFailedBeforeExec(
                r,
                "syscage-launch: landlock_restrict_self: Operation not permitted. (Hint: Landlock "
                        + "needs no_new_privs or CAP_SYS_ADMIN, and PR_SET_NO_NEW_PRIVS did not take effect.)\n");
    }

    @Test
    void traceModeEnforcesTheSameDomain() throws Exception {
        requireAbi(1);
        long pid = outsider();
        Result r = supervised(TRACER, modeRuleset(), tryProgram(modeAccesses(pid)));
        assertEquals(0, r.code(), r.toString());
        assertEquals(modeExpected(pid), r.out());
        assertEquals("", r.err());
    }
}
