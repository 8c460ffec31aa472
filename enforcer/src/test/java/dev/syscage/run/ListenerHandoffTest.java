package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syscage run --listener-handoff}, end to end: the SCM_RIGHTS handoff of the seccomp
 * listener works like pidfd_getfd (routed calls decided and logged, the program never holds the
 * listener), and when it cannot work the program never runs. Yama is not on the test kernel,
 * so a real EPERM from pidfd_getfd cannot be produced here: scm-rights is forced instead.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ListenerHandoffTest {
    @TempDir
    Path dir;

    private static Path testprog(String name) {
        return Path.of(System.getProperty("syscage.native.dir", "../native/build"), "testprogs", name)
                .toAbsolutePath();
    }

    /** Routes opens and execve to the supervisor, which denies /etc/shadow; {@code extra} adds rules. */
    private Path policy(String extra) throws IOException {
        Path p = dir.resolve("routed.yaml");
        Files.writeString(p, """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                %s  - action: trace
                    syscalls: [openat, open, execve]
                supervise:
                  rules:
                    - syscalls: [openat, open]
                      path: ["/etc/shadow"]
                      decision: errno EACCES
                  default: allow
                """.formatted(extra));
        return p;
    }

    private Result run(String handoff, Path policy, Path log, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--mode",
                "notify",
                "--listener-handoff",
                handoff,
                "--policy",
                policy.toString(),
                "--log",
                log.toString(),
                "--"));
        args.addAll(List.of(command));
        return RunTest.syscage(dir, args.toArray(String[]::new));
    }

    private static List<JsonNode> records(Path log) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = json.readTree(line);
            if (!n.path("record").asText().equals("end")) { // the run's closing record is not a call
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void scmRightsHandsTheListenerOverAndRoutedCallsAreDecided() throws Exception {
        Path log = dir.resolve("audit.jsonl");
        Result r = run("scm-rights", policy(""), log, testprog("opens").toString(), "/etc/hostname", "/etc/shadow");
        assertEquals(0, r.code(), r.err());
        assertEquals("/etc/hostname: ok\n/etc/shadow: errno EACCES\n", r.out());
        List<JsonNode> recs = records(log);
        JsonNode shadow = recs.stream()
                .filter(n -> "/etc/shadow".equals(n.path("path").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no record for /etc/shadow: " + recs));
        assertEquals("errno", shadow.path("decision").asText());
        assertEquals(13, shadow.path("errno").asInt());
        assertEquals("notify", shadow.path("source").asText());
        assertTrue(
                recs.stream().anyMatch(n -> "execve".equals(n.path("syscall").asText())), "execve not logged: " + recs);
    }

    @Test
    void theProgramHoldsNeitherTheListenerNorTheSocket() throws Exception {
        Result r = run(
                "scm-rights",
                policy(""),
                dir.resolve("audit.jsonl"),
                "sh",
                "-c",
                "for f in /proc/$$/fd/*; do echo \"$f -> $(readlink $f)\"; done");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("/fd/1 -> "), "the shell's fds were not listed:\n" + r.out());
        assertFalse(r.out().contains("seccomp"), "the program holds the listener:\n" + r.out());
        assertFalse(r.out().contains("socket:"), "the program holds the handoff socket:\n" + r.out());
    }

    @Test
    void aPolicyThatDeniesSendmsgStopsTheLauncherBeforeTheProgramRuns() throws Exception {
        Path p = policy("""
                  - action: errno EPERM
                    syscalls: [sendmsg]
                """);
        Path marker = dir.resolve("ran");
        Result r = run("scm-rights", p, dir.resolve("audit.jsonl"), "touch", marker.toString());
        assertEquals(125, r.code(), r.err());
        assertTrue(
                r.err()
                        .contains("syscage-launch: sendmsg(SCM_RIGHTS): Operation not permitted. (Hint: the seccomp "
                                + "listener could not be handed to the supervisor, so the program was not run; the SCM_RIGHTS handoff "
                                + "needs the policy to allow sendmsg.)\n"),
                r.err());
        assertFalse(Files.exists(marker), "the program ran");
    }

    @Test
    void autoUsesPidfdGetfdWhereItIsAllowedSoSendmsgIsNotNeeded() throws Exception {
        Path p = policy("""
                  - action: errno EPERM
                    syscalls: [sendmsg]
                """);
        Path marker = dir.resolve("ran");
        Result r = run("auto", p, dir.resolve("audit.jsonl"), "touch", marker.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(marker), r.err());
    }

    @Test
    void aPolicyThatRoutesSendmsgIsRefusedBeforeTheListenerExists() throws Exception {
        Path p = policy("""
                  - action: trace
                    syscalls: [sendmsg]
                """);
        Path marker = dir.resolve("ran");
        Result r = run("scm-rights", p, dir.resolve("audit.jsonl"), "touch", marker.toString());
        assertTrue(r.code() != 0, r.err());
        assertTrue(
                r.err()
                        .contains(
                                "the policy routes sendmsg to the supervisor, but with the SCM_RIGHTS handoff the "
                                        + "program's process makes that call under its filter before the supervisor holds the listener"),
                r.err());
        assertFalse(Files.exists(marker), "the program ran");
    }

    @Test
    void anUnknownHandoffIsBadInput() throws Exception {
        Result r = run("carrier-pigeon", policy(""), dir.resolve("audit.jsonl"), "true");
        assertEquals(2, r.code(), r.err());
        assertEquals(
                "syscage: unknown --listener-handoff 'carrier-pigeon' (choose auto, pidfd or scm-rights)\n", r.err());
    }
}
