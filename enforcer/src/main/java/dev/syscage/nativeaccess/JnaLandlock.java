package dev.syscage.nativeaccess;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import java.nio.charset.StandardCharsets;

/**
 * {@link Landlock} through JNA, direct-mapped to libc like {@link SeccompNotify}: the three
 * Landlock calls through {@code syscall(2)} (no libc wrapper; their numbers are the same on every
 * architecture), {@code prctl}, {@code open}, {@code statx} and {@code close}. Strings are
 * passed as UTF-8 bytes, whatever the JVM's default charset.
 */
final class JnaLandlock implements Landlock {
    static {
        Native.register(NativeLibrary.getInstance("c"));
    }

    static final JnaLandlock INSTANCE = new JnaLandlock();

    static final long SYS_landlock_create_ruleset = 444;
    static final long SYS_landlock_add_rule = 445;
    static final long SYS_landlock_restrict_self = 446;

    /** struct landlock_ruleset_attr: u64 handled_access_fs; u64 handled_access_net (ABI 4); u64 scoped (ABI 6). */
    static final int RULESET_ATTR_FS_SIZE = 8;

    static final int RULESET_ATTR_NET_SIZE = 16;
    static final int RULESET_ATTR_SCOPED_SIZE = 24;
    /** struct landlock_path_beneath_attr, {@code __attribute__((packed))}: u64 allowed_access; s32 parent_fd. */
    static final int PATH_BENEATH_ATTR_SIZE = 12;
    /** struct landlock_net_port_attr: u64 allowed_access; u64 port. */
    static final int NET_PORT_ATTR_SIZE = 16;

    private static final int O_PATH = 010000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 1;
    private static final int STATX_MODE_OFFSET = 0x1c;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;

    private static final int ENOENT = 2;
    private static final int EPERM = 1;
    private static final int E2BIG = 7;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;

    private JnaLandlock() {}

    private static native long syscall(long number, long a1, long a2, long a3) throws LastErrorException;

    private static native long syscall(long number, long a1, long a2, long a3, long a4) throws LastErrorException;

    private static native int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

    private static native int open(Pointer path, int flags) throws LastErrorException;

    private static native int statx(int dirfd, Pointer path, int flags, int mask, Pointer buf)
            throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    @Override
    public int abi() {
        try {
            return (int) syscall(SYS_landlock_create_ruleset, 0, 0, LANDLOCK_CREATE_RULESET_VERSION);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOSYS || e.getErrorCode() == EOPNOTSUPP) {
                return 0;
            }
            throw new Failure(
                    "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)", e.getErrorCode(), null);
        }
    }

    @Override
    public Ruleset createRuleset(LandlockRuleset r) {
        if (r.isEmpty()) {
            throw new IllegalArgumentException("an empty Landlock ruleset makes no domain");
        }
        int fd = create(r);
        try {
            for (LandlockRuleset.PathRule rule : r.paths()) {
                addPathRule(fd, rule);
            }
            for (LandlockRuleset.PortRule rule : r.ports()) {
                addPortRule(fd, rule);
            }
        } catch (RuntimeException | Error e) {
            closeQuietly(fd);
            throw e;
        }
        return new KernelRuleset(fd);
    }

    /** landlock_create_ruleset with the attr as long as the ruleset uses: an older kernel takes the shorter struct. */
    private int create(LandlockRuleset r) {
        int size = r.scoped() != 0
                ? RULESET_ATTR_SCOPED_SIZE
                : r.handledNet() != 0 ? RULESET_ATTR_NET_SIZE : RULESET_ATTR_FS_SIZE;
        Memory attr = new Memory(RULESET_ATTR_SCOPED_SIZE);
        attr.clear();
        attr.setLong(0, r.handledFs());
        attr.setLong(8, r.handledNet());
        attr.setLong(16, r.scoped());
        try {
            return (int) syscall(SYS_landlock_create_ruleset, Pointer.nativeValue(attr), size, 0);
        } catch (LastErrorException e) {
            int err = e.getErrorCode();
            String hint = switch (err) {
                case ENOSYS ->
                    "this kernel has no Landlock (it needs Linux 5.13 or later with CONFIG_SECURITY_LANDLOCK)";
                case EOPNOTSUPP ->
                    "Landlock is built into this kernel but not enabled: add landlock to the lsm= boot " + "parameter";
                case EINVAL ->
                    "the ruleset handles rights this kernel's Landlock (ABI " + abiOrZero() + ") does not "
                            + "have: cut it to the kernel's ABI first (LandlockRuleset.negotiate)";
                default -> null;
            };
            throw new Failure("landlock_create_ruleset", err, hint);
        }
    }

    private int abiOrZero() {
        try {
            return abi();
        } catch (Failure f) {
            return 0;
        }
    }

    /**
     * Opens the rule's path {@code O_PATH} and adds it; a file that is no directory keeps only the
     * rights that mean something on a file (the kernel refuses the others with EINVAL).
     */
    private void addPathRule(int ruleset, LandlockRuleset.PathRule rule) {
        int parent;
        try {
            parent = open(cstring(rule.path()), O_PATH | O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOENT && rule.optional()) {
                return;
            }
            throw new Failure(
                    "open(" + rule.path() + ", O_PATH)",
                    e.getErrorCode(),
                    e.getErrorCode() == ENOENT
                            ? "a Landlock rule's path must exist when the run starts; mark the rule optional to skip it "
                                    + "where it is missing"
                            : null);
        }
        try {
            long access = rule.access();
            if (!isDirectory(parent, rule.path())) {
                access &= FsAccess.FILE_RIGHTS;
                if (access == 0) {
                    return; // only directory rights, on a file: nothing to grant
                }
            }
            Memory attr = new Memory(PATH_BENEATH_ATTR_SIZE);
            attr.setLong(0, access);
            attr.setInt(8, parent);
            try {
                syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, Pointer.nativeValue(attr), 0);
            } catch (LastErrorException e) {
                throw new Failure(
                        "landlock_add_rule(LANDLOCK_RULE_PATH_BENEATH, " + rule.path() + ", "
                                + String.join("|", FsAccess.names(access)) + ")",
                        e.getErrorCode(),
                        e.getErrorCode() == EINVAL
                                ? "a right the ruleset does not handle, or one that means nothing on this kind of file"
                                : null);
            }
        } finally {
            closeQuietly(parent);
        }
    }

    private void addPortRule(int ruleset, LandlockRuleset.PortRule rule) {
        Memory attr = new Memory(NET_PORT_ATTR_SIZE);
        attr.setLong(0, rule.access());
        attr.setLong(8, rule.port());
        try {
            syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_NET_PORT, Pointer.nativeValue(attr), 0);
        } catch (LastErrorException e) {
            throw new Failure("landlock_add_rule(LANDLOCK_RULE_NET_PORT, " + rule.port() + ")", e.getErrorCode(), null);
        }
    }

    private static boolean isDirectory(int fd, String path) {
        Memory buf = new Memory(256);
        buf.clear();
        try {
            statx(fd, cstring(""), AT_EMPTY_PATH, STATX_TYPE, buf);
        } catch (LastErrorException e) {
            throw new Failure("statx(" + path + ")", e.getErrorCode(), null);
        }
        return ((buf.getShort(STATX_MODE_OFFSET) & 0xffff) & S_IFMT) == S_IFDIR;
    }

    /** A ruleset the kernel holds; closed once. */
    private static final class KernelRuleset implements Ruleset {
        private int fd;

        KernelRuleset(int fd) {
            this.fd = fd;
        }

        @Override
        public synchronized void restrictCurrentThread() {
            if (fd < 0) {
                throw new IllegalStateException("the Landlock ruleset is closed");
            }
            try {
                prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            } catch (LastErrorException e) {
                throw new Failure("prctl(PR_SET_NO_NEW_PRIVS)", e.getErrorCode(), null);
            }
            try {
                syscall(SYS_landlock_restrict_self, fd, 0, 0);
            } catch (LastErrorException e) {
                int err = e.getErrorCode();
                String hint = err == E2BIG
                        ? "this thread is in 16 stacked Landlock domains already, the kernel's limit"
                        : err == EPERM ? "landlock_restrict_self needs no_new_privs, or CAP_SYS_ADMIN" : null;
                throw new Failure("landlock_restrict_self", err, hint);
            }
        }

        @Override
        public synchronized void close() {
            if (fd >= 0) {
                closeQuietly(fd);
                fd = -1;
            }
        }
    }

    private static Pointer cstring(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        Memory m = new Memory(b.length + 1L);
        m.write(0, b, 0, b.length);
        m.setByte(b.length, (byte) 0);
        return m;
    }

    private static void closeQuietly(int fd) {
        try {
            close(fd);
        } catch (LastErrorException e) {
            // nothing to do: the fd is gone either way
        }
    }
}
