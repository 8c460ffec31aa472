package dev.syscage.supervise.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.run.RunTest;
import dev.syscage.run.RunTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor remembers a thread's rights between the opens it makes for it, and forgets
 * them when the thread changes them: after dropping to nobody, after a new umask, in a child
 * that drops. Each case fails if what was remembered outlived the change (the root-only file
 * would open, the umask would be the old one).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotifyViewCacheTest {
    @TempDir
    Path dir;

    private Path rootOnly;

    @BeforeEach
    void files() throws IOException {
        rootOnly = Files.writeString(dir.resolve("root-only"), "secret\n");
        Files.setPosixFilePermissions(rootOnly, PosixFilePermissions.fromString("rw-------"));
    }

    private Result run(String step, Path path) throws Exception {
        Path policy = NotifyRaceFreeOpenTest.pathRulePolicy(dir);
        return RunTest.syscage(
                dir,
                "run",
                "--mode",
                "notify",
                "--policy",
                policy.toString(),
                "--log",
                dir.resolve("audit.jsonl").toString(),
                "--",
                NotifyModeTest.testprog("viewchange").toString(),
                step,
                path.toString());
    }

    @Test
    void aThreadThatDropsItsRightsIsNotLentTheOldOnes() throws Exception {
        Result r = run("drop", rootOnly);
        assertEquals(0, r.code(), r.err());
        assertEquals("before: ok\nafter: errno EACCES\n", r.out());
    }

    @Test
    void aNewUmaskIsTheOneFilesAreCreatedWith() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Result r = run("umask", out);
        assertEquals(0, r.code(), r.err());
        assertEquals("a: mode 644\nb: mode 600\n", r.out());
    }

    @Test
    void aChildThatDropsItsRightsIsNotLentItsParents() throws Exception {
        Result r = run("child", rootOnly);
        assertEquals(0, r.code(), r.err());
        assertEquals("parent: ok\nchild: errno EACCES\n", r.out());
    }
}
