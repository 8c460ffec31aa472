package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --race-free-opens}: without a path rule an allowed open runs as the program asked
 * (CONTINUE), unless {@code all} makes the supervisor open it itself. Told apart by a magic link
 * into another process's fds, which the kernel follows for the program and the supervisor
 * refuses to follow (ELOOP).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaceFreeOpensOptionTest {
    @TempDir
    Path dir;

    private Result run(String... options) throws Exception {
        Path policy = Files.writeString(dir.resolve("p.yaml"), """
                version: 1
                include: [default]
                default: errno EPERM
                rules:
                  - action: notify
                    syscalls: [openat]
                supervise:
                  default: allow
                """);
        String script = "sleep 30 < /etc/hostname & p=$!; cat /proc/$p/fd/0 > /dev/null && echo opened || echo refused;"
                + " kill $p";
        String[] head = {
            "run",
            "--mode",
            "notify",
            "--policy",
            policy.toString(),
            "--log",
            dir.resolve("audit.jsonl").toString()
        };
        String[] args = new String[head.length + options.length + 4];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(options, 0, args, head.length, options.length);
        System.arraycopy(new String[] {"--", "sh", "-c", script}, 0, args, head.length + options.length, 4);
        return RunTest.syscage(dir, args);
    }

    @Test
    void byDefaultAnOpenNoPathRuleDecidesRunsAsTheProgramAsked() throws Exception {
        Result r = run();
        assertEquals(0, r.code(), r.err());
        assertEquals("opened\n", r.out());
    }

    @Test
    void allMakesTheSupervisorOpenEveryAllowedFile() throws Exception {
        Result r = run("--race-free-opens", "all");
        assertEquals(0, r.code(), r.err());
        assertEquals("refused\n", r.out(), "the supervisor does not follow another process's magic link");
    }

    @Test
    void anUnknownValueIsBadInput() throws Exception {
        Result r = run("--race-free", "some");
        assertEquals(2, r.code(), r.err());
        assertEquals("syscage: unknown --race-free 'some' (choose path-rules or all)\n", r.err());
    }
}
