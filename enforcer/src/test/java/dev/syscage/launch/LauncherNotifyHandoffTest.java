package dev.syscage.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.syscage.launch.LaunchHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's side of notify mode's listener handoff (--notify-handshake with
 * --notify-socket), with no JVM: a small Python script plays the supervisor over named pipes
 * and an AF_UNIX socket, says which handoff it wants, and checks what the launched process
 * sends. Each failure has a marker file proving the program never ran.
 */
class LauncherNotifyHandoffTest {
    /**
     * argv: launcher filter byte socket-path|- bind(1|0) marker. Prints what it saw; exits as
     * the launcher did.
     */
    private static final String SUPERVISOR = """
            import os, socket, struct, subprocess, sys
            launcher, filt, byte, sock_path, bind, marker = sys.argv[1:7]
            os.mkfifo('report'); os.mkfifo('go')
            if bind == '1':
                srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                srv.bind(sock_path); srv.listen(1)
            args = [launcher, '--filter', filt, '--notify-handshake', 'report,go']
            if sock_path != '-':
                args += ['--notify-socket', sock_path]
            p = subprocess.Popen(args + ['--', 'touch', marker])
            report = open('report', 'rb', buffering=0)
            go = open('go', 'wb', buffering=0)
            line = report.readline().split()
            if not line:
                sys.exit(p.wait())
            pid, fd, sock = (int(x) for x in line)
            print('socket before listener' if 3 <= sock < fd else 'no socket' if sock == -1 else 'bad order')
            go.write(byte.encode())
            if byte == 's' and bind == '1':
                conn, _ = srv.accept()
                peer = struct.unpack('3i', conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
                msg, fds, flags, addr = socket.recv_fds(conn, 1, 4)
                print('peer is P' if peer == pid else 'peer %d is not P %d' % (peer, pid))
                print('%d fd: %s' % (len(fds), os.readlink('/proc/self/fd/%d' % fds[0])))
            try:
                go.write(b'g')
            except BrokenPipeError:
                pass  # P refused the handoff byte and is gone: its status says how
            sys.exit(p.wait())
            """;

    @TempDir
    Path dir;

    private LaunchHarness h;
    private Path script;
    private Path marker;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        h = new LaunchHarness(dir);
        script = dir.resolve("supervisor.py");
        Files.writeString(script, SUPERVISOR);
        marker = dir.resolve("ran");
    }

    private Result supervise(String goByte, String socketPath, boolean bind) throws Exception {
        Path filter = h.filter(LaunchHarness.ALLOW_ALL);
        return h.run(
                List.of(
                        "python3",
                        script.toString(),
                        LaunchHarness.launcher().toString(),
                        filter.toString(),
                        goByte,
                        socketPath,
                        bind ? "1" : "0",
                        marker.toString()),
                Map.of());
    }

    @Test
    void theProgramsProcessSendsItsListenerOverTheSocket() throws Exception {
        Result r = supervise("s", dir.resolve("sock").toString(), true);
        assertEquals(0, r.code(), r.toString());
        assertEquals("socket before listener\npeer is P\n1 fd: anon_inode:seccomp notify\n", r.out());
        assertTrue(Files.exists(marker), r.toString());
    }

    @Test
    void withPidfdTheSocketIsConnectedButNotUsed() throws Exception {
        Result r = supervise("p", dir.resolve("sock").toString(), true);
        assertEquals(0, r.code(), r.toString());
        assertEquals("socket before listener\n", r.out());
        assertTrue(Files.exists(marker), r.toString());
    }

    @Test
    void withoutASocketTheReportSaysSo() throws Exception {
        Result r = supervise("p", "-", false);
        assertEquals(0, r.code(), r.toString());
        assertEquals("no socket\n", r.out());
    }

    @Test
    void scmRightsWithoutASocketIsRefused() throws Exception {
        Result r = supervise("s", "-", false);
        assertEquals(125, r.code(), r.toString());
        assertEquals(
                "syscage-launch: the supervisor asked for the SCM_RIGHTS handoff, but no --notify-socket was given\n",
                r.err());
        assertFalse(Files.exists(marker), "the program ran");
    }

    @Test
    void anUnknownHandoffByteIsRefused() throws Exception {
        Result r = supervise("x", dir.resolve("sock").toString(), true);
        assertEquals(125, r.code(), r.toString());
        assertEquals("syscage-launch: unexpected handoff byte 0x78 on the go pipe\n", r.err());
        assertFalse(Files.exists(marker), "the program ran");
    }

    @Test
    void aSocketNobodyListensOnFailsBeforeTheReport() throws Exception {
        Path missing = dir.resolve("no-such-socket");
        Result r = supervise("s", missing.toString(), false);
        assertEquals(125, r.code(), r.toString());
        assertEquals("syscage-launch: connect(" + missing + "): No such file or directory\n", r.err());
        assertEquals("", r.out(), "nothing may be reported");
        assertFalse(Files.exists(marker), "the program ran");
    }

    @Test
    void aSocketPathTooLongForSockaddrUnIsRefused() throws Exception {
        String tooLong = "/" + "x".repeat(120);
        Result r = supervise("s", tooLong, false);
        assertEquals(125, r.code(), r.toString());
        assertEquals("syscage-launch: --notify-socket " + tooLong + ": the path is longer than 107 bytes\n", r.err());
        assertFalse(Files.exists(marker), "the program ran");
    }

    @Test
    void aSocketNeedsTheNotifyHandshake() throws Exception {
        Result r = h.launch(
                "--filter",
                h.filter(LaunchHarness.ALLOW_ALL).toString(),
                "--notify-socket",
                "/tmp/s",
                "--",
                "touch",
                marker.toString());
        assertEquals(125, r.code(), r.toString());
        assertEquals(
                "syscage-launch: --notify-socket needs --notify-handshake (notify mode, started by syscage run)\n"
                        + "Try 'syscage-launch --help'.\n",
                r.err());
        assertFalse(Files.exists(marker), "the program ran");
    }
}
