package dev.syscage.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real paths learn records ({@link RealPaths}) and the interpreters the kernel opens for an exec ({@link Interpreters}). */
class LearnPathsTest {
    private static final int PID = (int) ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    private final RealPaths real = new RealPaths();

    private Optional<String> real(Path p, boolean followLast) {
        return real.real(p.toString(), followLast, PID, PID);
    }

    @Test
    void everyLinkIsFollowedTheLastOnlyWhenTheCallFollowsIt() throws IOException {
        Path t = tmp.toRealPath();
        Path dir = Files.createDirectories(t.resolve("real/dir"));
        Files.writeString(dir.resolve("f"), "x");
        Files.createSymbolicLink(t.resolve("link"), Path.of("real/dir")); // relative
        Files.createSymbolicLink(t.resolve("abs"), t.resolve("link")); // absolute, to a link
        Files.createSymbolicLink(dir.resolve("g"), Path.of("f"));
        assertEquals(Optional.of(dir + "/f"), real(t.resolve("link/f"), true));
        assertEquals(Optional.of(dir + "/f"), real(t.resolve("abs/g"), true));
        assertEquals(Optional.of(dir + "/g"), real(t.resolve("abs/g"), false), "the last component is not followed");
        assertEquals(Optional.of(t + "/link"), real(t.resolve("link"), false));
        assertEquals(Optional.of(dir.toString()), real(t.resolve("abs"), true));
        assertEquals(Optional.of(dir + "/new"), real(t.resolve("link/new"), true), "a file not there yet");
        Files.createSymbolicLink(t.resolve("up"), Path.of("real/dir/.."));
        assertEquals(Optional.of(t + "/real/dir"), real(t.resolve("up/dir"), true));
    }

    @Test
    void procSelfIsTheCallersAndMagicLinksLeadToTheFileOrNowhere() throws IOException {
        assertEquals(Optional.of("/proc/" + PID + "/status"), real.real("/proc/self/status", true, PID, PID));
        assertEquals(
                Optional.of("/proc/" + PID + "/task/" + (PID + 1) + "/comm"),
                real.real("/proc/thread-self/comm", false, PID, PID + 1));
        String exe = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString();
        assertEquals(Optional.of(exe), real.real("/proc/self/exe", true, PID, PID));
        assertEquals(Optional.empty(), real.real("/proc/self/ns/net", true, PID, PID), "net:[...] is no path");
        assertEquals(Optional.of("/proc/" + PID + "/exe"), real.real("/proc/self/exe", false, PID, PID));
    }

    @Test
    void theInterpreterOfAnElfProgramIsItsDynamicLoader() {
        Optional<String> ld = Interpreters.of(Path.of("/proc/self/exe"));
        assertTrue(ld.isPresent() && ld.get().startsWith("/") && ld.get().contains("ld"), ld.toString());
        assertTrue(Files.exists(Path.of(ld.get())), ld.get());
    }

    @Test
    void theInterpreterOfAScriptIsTheFirstWordOfItsHashBangLine() throws IOException {
        assertEquals(
                Optional.of("/usr/bin/env"),
                Interpreters.of(Files.writeString(tmp.resolve("a"), "#!  /usr/bin/env python3\nx")));
        assertEquals(Optional.of("/bin/sh"), Interpreters.of(Files.writeString(tmp.resolve("b"), "#!/bin/sh")));
        assertEquals(Optional.empty(), Interpreters.of(Files.writeString(tmp.resolve("c"), "#!sh\n")), "not absolute");
        assertEquals(Optional.empty(), Interpreters.of(Files.writeString(tmp.resolve("d"), "echo hello\n")));
        assertEquals(Optional.empty(), Interpreters.of(tmp.resolve("missing")));
    }
}
