package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.rewrite.SupervisionMode;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which supervision mode 'syscage run' picks without --mode, and that --mode overrides it. */
class ModeSelectionTest {
    private static final Optional<SupervisionMode> NONE = Optional.empty();
    private static final BooleanSupplier SUPPORTED = () -> true;
    private static final BooleanSupplier UNSUPPORTED = () -> false;
    private static final BooleanSupplier NOT_ASKED = () -> {
        throw new AssertionError("the kernel probe must not be needed here");
    };
    private static final BooleanSupplier PTRACE = () -> true;
    private static final BooleanSupplier NO_PTRACE = () -> false;

    @TempDir
    Path dir;

    private static Policy load(String action) {
        return PolicyLoader.loadString("m.yaml", """
                version: 1
                arch: [x86_64]
                default: allow
                rules:
                  - action: %s
                    syscalls: [openat]
                """.formatted(action), LoadOptions.defaults());
    }

    /** A supervisor that only watches: trace mode changes nothing the program sees (no EINTR from a routed open). */
    @Test
    void anAuditOnlySupervisorRunsInTraceModeAndNeedsNoNotifyProbe() {
        assertEquals(
                Optional.of(SupervisionMode.TRACE),
                SupervisionMode.select(load("trace"), NONE, false, PTRACE, NOT_ASKED));
    }

    @Test
    void anAuditOnlySupervisorRunsInNotifyModeWhereThisProcessCannotTrace() {
        assertEquals(
                Optional.of(SupervisionMode.NOTIFY),
                SupervisionMode.select(load("trace"), NONE, false, NO_PTRACE, SUPPORTED));
        assertEquals(
                Optional.of(SupervisionMode.TRACE),
                SupervisionMode.select(load("trace"), NONE, false, NO_PTRACE, UNSUPPORTED));
    }

    /** A supervisor that can deny: notify mode, whose path rules see the real path and are race-free. */
    @Test
    void anEnforcingSupervisorRunsInNotifyModeWhereTheKernelSupportsItElseInTraceMode() {
        assertEquals(
                Optional.of(SupervisionMode.NOTIFY),
                SupervisionMode.select(load("trace"), NONE, true, NOT_ASKED, SUPPORTED));
        assertEquals(
                Optional.of(SupervisionMode.TRACE),
                SupervisionMode.select(load("trace"), NONE, true, NOT_ASKED, UNSUPPORTED));
    }

    @Test
    void aSuperviseSectionEnforcesWhenARuleOrItsDefaultDeniesOrAHookIsNamed() {
        assertFalse(SupervisionMode.enforces(load("trace"), false), "no section: every call allowed");
        assertTrue(SupervisionMode.enforces(load("trace"), true), "a hook may deny");
        assertFalse(SupervisionMode.enforces(withSupervise("{log: all, default: allow}"), false));
        assertTrue(SupervisionMode.enforces(withSupervise("{default: errno EACCES}"), false));
        assertTrue(SupervisionMode.enforces(
                withSupervise(
                        "{default: allow, rules: [{syscalls: [openat], path: [/etc/shadow], decision: errno EACCES}]}"),
                false));
    }

    private static Policy withSupervise(String section) {
        return PolicyLoader.loadString("m.yaml", """
                version: 1
                arch: [x86_64]
                default: allow
                rules:
                  - action: trace
                    syscalls: [openat]
                supervise: %s
                """.formatted(section), LoadOptions.defaults());
    }

    @Test
    void modeAskedForWinsAndNeedsNoProbe() {
        Optional<SupervisionMode> trace = Optional.of(SupervisionMode.TRACE);
        Optional<SupervisionMode> notify = Optional.of(SupervisionMode.NOTIFY);
        assertEquals(trace, SupervisionMode.select(load("trace"), trace, true, NOT_ASKED, NOT_ASKED));
        assertEquals(trace, SupervisionMode.select(load("notify"), trace, true, NOT_ASKED, NOT_ASKED));
        assertEquals(notify, SupervisionMode.select(load("trace"), notify, true, NOT_ASKED, NOT_ASKED));
    }

    @Test
    void notifyActionsAndUnroutedPoliciesNeedNoProbe() {
        assertEquals(
                Optional.of(SupervisionMode.NOTIFY),
                SupervisionMode.select(load("notify"), NONE, true, NOT_ASKED, NOT_ASKED));
        assertEquals(NONE, SupervisionMode.select(load("errno EPERM"), NONE, true, NOT_ASKED, NOT_ASKED));
        assertEquals(
                NONE,
                SupervisionMode.select(load("allow"), Optional.of(SupervisionMode.TRACE), true, NOT_ASKED, NOT_ASKED));
    }

    /**
     * What the probe must answer, from what the kernel says about itself in /proc rather than
     * from the calls the probe makes: its release (pidfd_getfd came in 5.6) and whether
     * {@code user_notif} is among the seccomp actions it offers. Skips where the release cannot be
     * read as MAJOR.MINOR, where the actions are not listed, or where this JVM already runs under
     * a seccomp filter (a container's, say), which can refuse calls the kernel has.
     */
    static boolean notifyExpected() throws IOException {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(release);
        assumeTrue(
                m.lookingAt(),
                "kernel release '" + release + "' is not MAJOR.MINOR...: cannot tell whether it has pidfd_getfd");
        Path actions = Path.of("/proc/sys/kernel/seccomp/actions_avail");
        assumeTrue(
                Files.isReadable(actions),
                actions + " is not readable: cannot tell whether the kernel offers user_notif");
        String filtered = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Seccomp:"))
                .findFirst()
                .orElse("Seccomp: 0")
                .substring("Seccomp:".length())
                .strip();
        assumeTrue(
                filtered.equals("0"),
                "the tests run under a seccomp filter (Seccomp: " + filtered
                        + " in /proc/self/status), which may refuse calls the kernel has: the kernel's version does not say what the probe finds");
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        boolean pidfdGetfd = major > 5 || major == 5 && minor >= 6;
        return pidfdGetfd
                && List.of(Files.readString(actions).strip().split("\\s+")).contains("user_notif");
    }

    @Test
    void theProbeFindsNotifySupportWhereTheKernelOffersIt() throws IOException {
        boolean expected = notifyExpected();
        NotifySupport s = NotifySupport.ofThisKernel();
        assertEquals(expected, s.available(), s.reason());
        assertEquals(s, NotifySupport.probe(), "a second probe must agree");
    }

    @Test
    void withoutModeAnAuditOnlyTracePolicyIsSupervisedThroughPtraceAndModeNotifyChoosesTheListener() throws Exception {
        Path p = dir.resolve("p.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: trace
                    syscalls: [openat]
                supervise:
                  log: all
                  default: allow
                """);
        PtraceSupport ptrace = PtraceSupport.ofThisProcess();
        String expected = ptrace.usable() ? "trace" : notifyExpected() ? "notify" : "trace";
        assertEquals(Set.of(expected), sources("--policy", p.toString()), ptrace.reason());
        assumeTrue(notifyExpected(), "the kernel has no seccomp user notification: --mode notify cannot run");
        assertEquals(Set.of("notify"), sources("--mode", "notify", "--policy", p.toString()));
    }

    /** The "source" fields of the audit records of one run of cat under the given options. */
    private Set<String> sources(String... options) throws Exception {
        Path log = dir.resolve("audit-" + options.length + ".jsonl");
        String[] args = new String[options.length + 6];
        args[0] = "run";
        System.arraycopy(options, 0, args, 1, options.length);
        System.arraycopy(
                new String[] {"--log", log.toString(), "--", "cat", "/etc/hostname"}, 0, args, options.length + 1, 5);
        Result r = RunTest.syscage(dir, args);
        assertEquals(0, r.code(), r.err());
        Set<String> sources = new HashSet<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = json.readTree(line);
            if (!n.path("record").asText().equals("end")) { // the run's closing record is not a call
                sources.add(n.path("source").asText());
            }
        }
        assertTrue(!sources.isEmpty(), "no audit records");
        return sources;
    }
}
