package dev.syscage.supervise.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.DecodedCall.DecodedArg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The whole strace-like text of decoded calls, one syscall (or one twist of one) per test. */
class SyscallDecoderTest {
    static final SyscallDecoder X86_64 = new SyscallDecoder(Arch.X86_64);
    static final SyscallDecoder I386 = new SyscallDecoder(Arch.I386);
    static final SyscallDecoder AARCH64 = new SyscallDecoder(Arch.AARCH64);
    static final long AT_FDCWD_64 = -100L;

    final FakeMemory mem = new FakeMemory();

    static int nr(Arch arch, String name) {
        return SyscallTable.of(arch).byName(name).orElseThrow().nr();
    }

    String text(String syscall, long... args) {
        return X86_64.decode(nr(Arch.X86_64, syscall), args, mem).text();
    }

    static String hex(long address) {
        return "0x" + Long.toHexString(address);
    }

    @Test
    void openatNamesTheDirfdAndTheFlags() {
        assertEquals(
                "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)",
                text("openat", AT_FDCWD_64, mem.string("/etc/passwd"), 0x80000, 0));
    }

    @Test
    void openatPrintsTheModeOnlyWithCreate() {
        assertEquals(
                "openat(3, \"out.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0644)",
                text("openat", 3, mem.string("out.txt"), 0x241, 0644));
    }

    @Test
    void openatListsFlagsInStraceOrder() {
        assertEquals(
                "openat(AT_FDCWD, \".\", O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY)",
                text("openat", AT_FDCWD_64, mem.string("."), 0x90800, 0));
    }

    @Test
    void openatNamesTmpfileInsteadOfItsDirectoryBitAndShowsTheMode() {
        assertEquals(
                "openat(AT_FDCWD, \"/tmp\", O_RDWR|O_EXCL|O_TMPFILE, 0600)",
                text("openat", AT_FDCWD_64, mem.string("/tmp"), 0x410082, 0600));
    }

    @Test
    void unnamedFlagBitsArePrintedInHex() {
        assertEquals(
                "openat(AT_FDCWD, \"/x\", O_ACCMODE|O_CLOEXEC|0x80000000)",
                text("openat", AT_FDCWD_64, mem.string("/x"), 0x80080003L, 0));
    }

    @Test
    void openOfTheOldAbiHasNoDirfd() {
        assertEquals(
                "open(\"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC)",
                text("open", mem.string("/etc/ld.so.cache"), 0x80000, 0));
    }

    @Test
    void execvePrintsArgvAndTheEnvironmentPointer() {
        long argv = mem.strings("ls", "-l", "/tmp");
        assertEquals(
                "execve(\"/bin/ls\", [\"ls\", \"-l\", \"/tmp\"], 0x7ffe0000)",
                text("execve", mem.string("/bin/ls"), argv, 0x7ffe0000L));
    }

    @Test
    void execveCutsLongArgumentsAndEscapesNonAscii() {
        long argv = mem.strings("a".repeat(40), "caf\u00e9");
        assertEquals(
                "execve(\"/bin/echo\", [\"" + "a".repeat(32) + "\"..., \"caf\\303\\251\"], NULL)",
                text("execve", mem.string("/bin/echo"), argv, 0));
    }

    @Test
    void connectDecodesAnInetAddress() {
        assertEquals(
                "connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16)",
                text("connect", 3, mem.put(inet(80, 127, 0, 0, 1)), 16));
    }

    @Test
    void connectDecodesAnInet6Address() {
        byte[] addr = new byte[16];
        addr[15] = 1;
        assertEquals(
                "connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
                        + "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28)",
                text("connect", 4, mem.put(inet6(443, addr)), 28));
    }

    @Test
    void connectDecodesAUnixSocketPath() {
        assertEquals(
                "connect(5, {sa_family=AF_UNIX, sun_path=\"/run/dbus/system_bus_socket\"}, 110)",
                text("connect", 5, mem.put(unix("/run/dbus/system_bus_socket", 110)), 110));
    }

    @Test
    void bindPrintsAnAbstractUnixNameWithAnAt() {
        byte[] sa = {1, 0, 0, 'x', '1', '1'};
        assertEquals("bind(3, {sa_family=AF_UNIX, sun_path=@\"x11\"}, 6)", text("bind", 3, mem.put(sa), 6));
    }

    @Test
    void otherAddressFamiliesAndShortLengthsPrintThePointer() {
        byte[] netlink = {16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        long at = mem.put(netlink);
        assertEquals("connect(3, " + hex(at) + ", 12)", text("connect", 3, at, 12));
        long inet = mem.put(inet(80, 127, 0, 0, 1));
        assertEquals("connect(3, " + hex(inet) + ", 4)", text("connect", 3, inet, 4));
    }

    @Test
    void sendtoPrintsTheBufferFlagsAndAddress() {
        assertEquals(
                "sendto(3, \"ping\", 4, MSG_NOSIGNAL, {sa_family=AF_INET, sin_port=htons(53), "
                        + "sin_addr=inet_addr(\"10.0.0.1\")}, 16)",
                text(
                        "sendto",
                        3,
                        mem.put("ping".getBytes(StandardCharsets.US_ASCII)),
                        4,
                        0x4000,
                        mem.put(inet(53, 10, 0, 0, 1)),
                        16));
    }

    @Test
    void socketNamesFamilyTypeAndTypeFlags() {
        assertEquals("socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, 0)", text("socket", 10, 0x80001, 0));
        assertEquals("socket(AF_UNIX, SOCK_DGRAM, 0)", text("socket", 1, 2, 0));
    }

    @Test
    void cloneNamesFlagsAndTheExitSignal() {
        assertEquals(
                "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f3c5c1d4a10, NULL)",
                text("clone", 0x01200011L, 0, 0, 0x7f3c5c1d4a10L, 0));
    }

    @Test
    void cloneOfAThreadHasNoSignal() {
        assertEquals(
                "clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS"
                        + "|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, 0x7f0000001000, 0x7f0000002000, 0x7f0000002000, "
                        + "0x7f0000003000)",
                text("clone", 0x3d0f00L, 0x7f0000001000L, 0x7f0000002000L, 0x7f0000002000L, 0x7f0000003000L));
    }

    @Test
    void unshareNamesTheTimeNamespaceThatCloneReadsAsASignalBit() {
        assertEquals("unshare(CLONE_NEWTIME|CLONE_NEWNS)", text("unshare", 0x20080));
        assertEquals("clone(CLONE_NEWNS|SIGCHLD, NULL, NULL, NULL, NULL)", text("clone", 0x20011, 0, 0, 0, 0));
    }

    @Test
    void mmapOfAnonymousMemory() {
        assertEquals(
                "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
                text("mmap", 0, 8192, 3, 0x22, -1L, 0));
    }

    @Test
    void mmapNamesHugePageSizes() {
        assertEquals(
                "mmap(0x7f0000000000, 2097152, PROT_READ, MAP_SHARED|MAP_FIXED|MAP_HUGETLB|MAP_HUGE_2MB, 3, 0)",
                text("mmap", 0x7f0000000000L, 2097152, 1, 0x54040011L, 3, 0));
    }

    @Test
    void mprotectToNoAccess() {
        assertEquals("mprotect(0x7f0000000000, 4096, PROT_NONE)", text("mprotect", 0x7f0000000000L, 4096, 0));
    }

    @Test
    void ioctlNamesTerminalRequests() {
        assertEquals("ioctl(1, TCGETS, 0x7ffd1234)", text("ioctl", 1, 0x5401, 0x7ffd1234L));
        assertEquals("ioctl(0, FIONREAD, 0x7ffd1234)", text("ioctl", 0, 0x541b, 0x7ffd1234L));
        assertEquals("ioctl(3, 0xc0186201, NULL)", text("ioctl", 3, 0xc0186201L, 0));
    }

    @Test
    void killNamesSignals() {
        assertEquals("kill(1234, SIGTERM)", text("kill", 1234, 15));
        assertEquals("kill(-1, SIGKILL)", text("kill", 0xffffffffL, 9));
        assertEquals("kill(1, 0)", text("kill", 1, 0));
        assertEquals("kill(1, SIGRT_2)", text("kill", 1, 34));
        assertEquals("tgkill(10, 11, SIGRTMIN)", text("tgkill", 10, 11, 32));
        assertEquals("kill(1, 99)", text("kill", 1, 99));
    }

    @Test
    void writePrintsTheBuffer() {
        assertEquals(
                "write(1, \"hello\\n\", 6)",
                text("write", 1, mem.put("hello\n".getBytes(StandardCharsets.US_ASCII)), 6));
    }

    @Test
    void writeEscapesLikeC() {
        byte[] b = {'a', '\t', 'b', '"', 'c', '\\', 0, 1, '7', (byte) 0xff};
        assertEquals("write(2, \"a\\tb\\\"c\\\\\\0\\0017\\377\", 10)", text("write", 2, mem.put(b), 10));
    }

    @Test
    void writeCutsTheBufferAtTheStringLimit() {
        long at = mem.put("x".repeat(40).getBytes(StandardCharsets.US_ASCII));
        assertEquals("write(1, \"" + "x".repeat(32) + "\"..., 40)", text("write", 1, at, 40));
    }

    @Test
    void theStringLimitIsConfigurable() {
        SyscallDecoder four = new SyscallDecoder(Arch.X86_64, 4);
        long at = mem.put("hello\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(
                "write(1, \"hell\"..., 6)",
                four.decode(nr(Arch.X86_64, "write"), new long[] {1, at, 6}, mem)
                        .text());
    }

    @Test
    void readsBufferIsOutputAndPrintsAsAPointer() {
        assertEquals("read(0, 0x7ffd0010, 4096)", text("read", 0, 0x7ffd0010L, 4096));
    }

    @Test
    void unreadablePointersPrintAsThemselves() {
        assertEquals("openat(AT_FDCWD, 0xdeadbeef, O_RDONLY)", text("openat", AT_FDCWD_64, 0xdeadbeefL, 0, 0));
        assertEquals("openat(AT_FDCWD, NULL, O_RDONLY)", text("openat", AT_FDCWD_64, 0, 0, 0));
        assertEquals("execve(\"/bin/sh\", 0xdeadbeef, NULL)", text("execve", mem.string("/bin/sh"), 0xdeadbeefL, 0));
        assertEquals("write(1, 0xdeadbeef, 5)", text("write", 1, 0xdeadbeefL, 5));
    }

    @Test
    void unknownSyscallsPrintSixArgumentsInHex() {
        assertEquals(
                "syscall_0x3e7(0x1, 0xffffffffffffffff, 0, 0, 0, 0)",
                X86_64.decode(999, new long[] {1, -1, 0, 0, 0, 0}, mem).text());
        assertEquals(
                "syscall_0xffffffff(0, 0, 0, 0, 0, 0)",
                X86_64.decode(-1, new long[6], mem).text());
        assertEquals("syscall_0x3e7", X86_64.name(999));
    }

    @Test
    void i386ArgumentsAre32BitsWide() {
        long path = 0xbf000100L;
        FakeMemory m32 = new FakeMemory(4);
        long at = m32.string("/etc/hosts");
        DecodedCall call = I386.decode(
                nr(Arch.I386, "openat"), new long[] {0xffffff9cL, 0x12345678_00000000L | at, 0x88000, 0}, m32);
        assertEquals("openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_LARGEFILE|O_CLOEXEC)", call.text());
        assertEquals(
                "mmap2(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
                I386.decode(nr(Arch.I386, "mmap2"), new long[] {0, 4096, 3, 0x22, 0xffffffffL, 0}, m32)
                        .text());
        assertEquals(
                "syscall_0x3e8(0x1, 0xffffffff, 0, 0, 0, 0)",
                I386.decode(1000, new long[] {1, -1L, 0, 0, 0, 0}, m32).text());
        assertEquals(
                "read(0, 0xbf000100, 16)",
                I386.decode(nr(Arch.I386, "read"), new long[] {0, path, 16}, m32)
                        .text());
    }

    @Test
    void flagValuesAreThoseOfTheArchitecture() {
        // 0x4000 is O_DIRECTORY on aarch64 but O_DIRECT on x86_64
        long at = mem.string("/");
        assertEquals(
                "openat(AT_FDCWD, \"/\", O_RDONLY|O_CLOEXEC|O_DIRECTORY)",
                AARCH64.decode(nr(Arch.AARCH64, "openat"), new long[] {AT_FDCWD_64, at, 0x84000, 0}, mem)
                        .text());
        assertEquals(
                "openat(AT_FDCWD, \"/\", O_RDONLY|O_DIRECT|O_CLOEXEC)", text("openat", AT_FDCWD_64, at, 0x84000, 0));
    }

    @Test
    void accessModes() {
        assertEquals("access(\"/etc/shadow\", R_OK|W_OK)", text("access", mem.string("/etc/shadow"), 6));
        assertEquals(
                "faccessat2(AT_FDCWD, \"x\", F_OK, AT_EACCESS)",
                text("faccessat2", AT_FDCWD_64, mem.string("x"), 0, 0x200));
    }

    @Test
    void atFlagsAreNamedPerCall() {
        assertEquals("unlinkat(5, \"sub\", AT_REMOVEDIR)", text("unlinkat", 5, mem.string("sub"), 0x200));
        assertEquals("unlinkat(5, \"f\", 0)", text("unlinkat", 5, mem.string("f"), 0));
        assertEquals(
                "renameat2(AT_FDCWD, \"a\", AT_FDCWD, \"b\", RENAME_NOREPLACE)",
                text("renameat2", AT_FDCWD_64, mem.string("a"), AT_FDCWD_64, mem.string("b"), 1));
        assertEquals(
                "statx(AT_FDCWD, \"/etc\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, "
                        + "STATX_BASIC_STATS|STATX_MNT_ID, 0x7ffc0000)",
                text("statx", AT_FDCWD_64, mem.string("/etc"), 0x100, 0x17ff, 0x7ffc0000L));
    }

    @Test
    void openat2DecodesOpenHow() {
        long how = mem.put(ByteBuffer.allocate(24)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0x80000)
                .putLong(0)
                .putLong(0xc)
                .array());
        assertEquals(
                "openat2(AT_FDCWD, \"/srv\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}, 24)",
                text("openat2", AT_FDCWD_64, mem.string("/srv"), how, 24));
        long create = mem.put(ByteBuffer.allocate(24)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0x41)
                .putLong(0600)
                .putLong(0)
                .array());
        assertEquals(
                "openat2(3, \"new\", {flags=O_WRONLY|O_CREAT, mode=0600}, 24)",
                text("openat2", 3, mem.string("new"), create, 24));
        assertEquals("openat2(3, \"new\", " + hex(create) + ", 8)", text("openat2", 3, mem.string("new"), create, 8));
    }

    @Test
    void modesNameTheFileType() {
        assertEquals(
                "mknodat(AT_FDCWD, \"fifo\", S_IFIFO|0644, 0)",
                text("mknodat", AT_FDCWD_64, mem.string("fifo"), 0x11a4, 0));
        assertEquals("mkdir(\"d\", 000)", text("mkdir", mem.string("d"), 0));
    }

    @Test
    void fcntlAndPrctlNameTheirCommands() {
        assertEquals("fcntl(3, F_SETFD, 1)", text("fcntl", 3, 2, 1));
        assertEquals("fcntl(3, 0x7777, 0)", text("fcntl", 3, 0x7777, 0));
        assertEquals("prctl(PR_SET_NO_NEW_PRIVS, 0x1, 0, 0, 0)", text("prctl", 38, 1, 0, 0, 0));
    }

    @Test
    void mountNamesItsFlags() {
        assertEquals(
                "mount(\"tmpfs\", \"/mnt\", \"tmpfs\", MS_NOSUID|MS_NODEV, NULL)",
                text("mount", mem.string("tmpfs"), mem.string("/mnt"), mem.string("tmpfs"), 6, 0));
    }

    @Test
    void decodedArgumentsKeepNameKindAndValue() {
        DecodedCall call = X86_64.decode(
                nr(Arch.X86_64, "openat"), new long[] {0xffffff9cL, mem.string("/etc/passwd"), 0x80000, 0}, mem);
        assertEquals(
                List.of(
                        new DecodedArg("dfd", "dirfd", -100, "AT_FDCWD"),
                        new DecodedArg("filename", "path", call.args().get(1).raw(), "\"/etc/passwd\""),
                        new DecodedArg("flags", "flags", 0x80000, "O_RDONLY|O_CLOEXEC")),
                call.args());
        assertEquals(Optional.of("/etc/passwd"), call.path());
    }

    static byte[] inet(int port, int a, int b, int c, int d) {
        return ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 2)
                .order(ByteOrder.BIG_ENDIAN)
                .putShort((short) port)
                .put((byte) a)
                .put((byte) b)
                .put((byte) c)
                .put((byte) d)
                .array();
    }

    static byte[] inet6(int port, byte[] address) {
        return ByteBuffer.allocate(28)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 10)
                .order(ByteOrder.BIG_ENDIAN)
                .putShort((short) port)
                .putInt(0)
                .put(address)
                .putInt(0)
                .array();
    }

    static byte[] unix(String path, int length) {
        ByteBuffer b =
                ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 1);
        b.put(path.getBytes(StandardCharsets.UTF_8));
        return b.array();
    }
}
