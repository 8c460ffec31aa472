package dev.syscage.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.syscage.nativeaccess.LinuxCLibrary;
import dev.syscage.nativeaccess.UnixSockets;
import dev.syscage.policy.compile.CompileOptions;
import dev.syscage.policy.compile.PolicyCompiler;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JVM's end of the SCM_RIGHTS handoff, without a launcher: this JVM plays the launched
 * process, so its own pid is "P" or, to be refused, is not. Also the check that refuses the
 * handoff for a filter that routes the calls it needs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoffSocketTest {
    private static final LinuxCLibrary LIBC = LinuxCLibrary.instance();
    private static final int ME = (int) ProcessHandle.current().pid();

    /** A client socket of this JVM, connected to {@code s}. */
    private static int connect(HandoffSocket s) {
        int fd = UnixSockets.socket(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC, 0);
        byte[] addr = HandoffSocket.address(s.path().toString().getBytes(StandardCharsets.UTF_8));
        UnixSockets.connect(fd, addr, addr.length);
        return fd;
    }

    /** sendmsg of one data byte and, unless empty, one SCM_RIGHTS message with {@code fds}. */
    private static void send(int socket, int... fds) {
        Memory m = new Memory(256);
        m.clear();
        long base = Pointer.nativeValue(m);
        long iov = base + UnixSockets.MSGHDR_SIZE;
        long data = iov + UnixSockets.IOVEC_SIZE;
        long control = data + 8;
        m.setLong(UnixSockets.MSGHDR_SIZE, data);
        m.setLong(UnixSockets.MSGHDR_SIZE + 8, 1);
        m.setLong(UnixSockets.MSG_IOV, iov);
        m.setLong(UnixSockets.MSG_IOVLEN, 1);
        if (fds.length > 0) {
            long len = UnixSockets.CMSG_DATA + 4L * fds.length;
            long at = control - base;
            m.setLong(at, len);
            m.setInt(at + UnixSockets.CMSG_LEVEL, UnixSockets.SOL_SOCKET);
            m.setInt(at + UnixSockets.CMSG_TYPE, UnixSockets.SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                m.setInt(at + UnixSockets.CMSG_DATA + 4L * i, fds[i]);
            }
            m.setLong(UnixSockets.MSG_CONTROL, control);
            m.setLong(UnixSockets.MSG_CONTROLLEN, UnixSockets.cmsgAlign(len));
        }
        assertEquals(1, UnixSockets.sendmsg(socket, base, UnixSockets.MSG_NOSIGNAL));
    }

    @Test
    void theSocketLivesInAPrivateDirectoryThatCloseRemoves() throws Exception {
        HandoffSocket s = HandoffSocket.open(LIBC);
        Path dir = s.path().getParent();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertTrue(Files.exists(s.path()));
        s.close();
        assertFalse(Files.exists(dir), dir + " is left behind");
    }

    @Test
    void aConnectionMadeBeforeTheUnlinkIsStillAccepted() throws Exception {
        try (HandoffSocket s = HandoffSocket.open(LIBC)) {
            int client = connect(s);
            try {
                s.unlink();
                assertFalse(Files.exists(s.path().getParent()), "the directory is still there");
                assertTrue(s.acceptFrom(ME, () -> true, 5000));
            } finally {
                UnixSockets.close(client);
            }
        }
    }

    @Test
    void aPeerThatIsNotTheProgramsProcessIsRefused() throws Exception {
        try (HandoffSocket s = HandoffSocket.open(LIBC)) {
            int client = connect(s);
            try {
                int notMe = ME == 1 ? 2 : 1;
                IOException e = assertThrows(IOException.class, () -> s.acceptFrom(notMe, () -> true, 500));
                assertEquals(
                        "the program's process " + notMe + " did not connect to the listener handoff socket within "
                                + "500 ms; refused other peers: pids [" + ME + "]",
                        e.getMessage());
                assertEquals(List.of(ME), s.refused());
                byte[] one = new byte[1];
                assertEquals(0, LIBC.read(client, one, 1), "the refused connection was not closed");
            } finally {
                UnixSockets.close(client);
            }
        }
    }

    @Test
    void anFdThatIsNoSeccompListenerIsRefused() throws Exception {
        int[] pipe = HandshakePipes.pipe(LIBC);
        try (HandoffSocket s = HandoffSocket.open(LIBC)) {
            int client = connect(s);
            try {
                assertTrue(s.acceptFrom(ME, () -> true, 5000));
                send(client, pipe[0]);
                IOException e = assertThrows(IOException.class, () -> s.receiveListener(() -> true, 5000));
                assertTrue(
                        e.getMessage()
                                .matches("the fd the program's process sent is not a seccomp listener "
                                        + "\\(it is pipe:\\[\\d+\\]\\)"),
                        e.getMessage());
            } finally {
                UnixSockets.close(client);
            }
        } finally {
            LIBC.close(pipe[0]);
            LIBC.close(pipe[1]);
        }
    }

    @Test
    void exactlyOneFdIsTaken() throws Exception {
        int[] pipe = HandshakePipes.pipe(LIBC);
        try (HandoffSocket s = HandoffSocket.open(LIBC)) {
            int client = connect(s);
            try {
                assertTrue(s.acceptFrom(ME, () -> true, 5000));
                send(client, pipe[0], pipe[1]);
                IOException e = assertThrows(IOException.class, () -> s.receiveListener(() -> true, 5000));
                assertEquals("the program's process sent 2 fds instead of its seccomp listener", e.getMessage());
            } finally {
                UnixSockets.close(client);
            }
        } finally {
            LIBC.close(pipe[0]);
            LIBC.close(pipe[1]);
        }
    }

    @Test
    void aPeerThatHangsUpWithoutSendingMeansTheLauncherFailed() throws Exception {
        try (HandoffSocket s = HandoffSocket.open(LIBC)) {
            int client = connect(s);
            assertTrue(s.acceptFrom(ME, () -> true, 5000));
            UnixSockets.close(client);
            assertEquals(-1, s.receiveListener(() -> true, 5000));
        }
    }

    @Test
    void aLauncherThatDiedStopsTheWait() throws Exception {
        try (HandoffSocket s = HandoffSocket.open(LIBC)) {
            long start = System.nanoTime();
            assertFalse(s.acceptFrom(ME, () -> false, 30_000));
            assertTrue(
                    System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "waited although the launcher was gone");
        }
    }

    private static byte[] filter(String rules) {
        String yaml = "version: 1\ndefault: allow\nrules:\n" + rules;
        return PolicyCompiler.compile(
                        PolicyLoader.loadString("t.yaml", yaml, new LoadOptions(List.of(), List.of())),
                        CompileOptions.defaults())
                .program()
                .toBytes();
    }

    @Test
    void theHandoffIsRefusedForAFilterThatRoutesItsCalls() {
        Optional<String> both = ScmRightsPreflight.problem(filter("""
                  - action: notify
                    syscalls: [sendmsg, prctl]
                """), 4);
        assertTrue(
                both.orElseThrow()
                        .startsWith("the policy routes prctl and sendmsg to the supervisor, but with the "
                                + "SCM_RIGHTS handoff the program's process makes those calls under its filter"),
                both.get());
        Optional<String> onlyOtherFds = ScmRightsPreflight.problem(filter("""
                  - action: trace
                    syscalls: [sendmsg]
                    when: arg0 != 4
                """), 4);
        assertEquals(Optional.empty(), onlyOtherFds, "sendmsg on fd 4 is not routed");
        assertEquals(
                Optional.empty(), ScmRightsPreflight.problem(filter("""
                  - action: errno EPERM
                    syscalls: [sendmsg, prctl]
                """), 4), "a denial is the launcher's to report");
    }
}
