package dev.syscage.policy.landlock;

/**
 * A Landlock ABI version, as {@code landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)}
 * reports it (0: no Landlock), and what each version can enforce:
 * <pre>
 * 1 (5.13) file-system rights execute .. make_sym     4 (6.7)  TCP bind/connect by port
 * 2 (5.19) refer (link/rename across directories)    5 (6.10) ioctl on devices
 * 3 (6.2)  truncate                                   6 (6.12) scopes: abstract UNIX sockets, signals
 *                                                     7 (6.15) audit logging flags
 * </pre>
 */
public record Abi(int version) {
    /** The newest version syscage knows; a newer kernel is treated as this one. */
    public static final int NEWEST = 7;
    /** No Landlock at all (disabled at boot, or a kernel before 5.13). */
    public static final Abi NONE = new Abi(0);

    public Abi {
        if (version < 0) {
            throw new IllegalArgumentException("Landlock ABI version " + version);
        }
        version = Math.min(version, NEWEST);
    }

    public boolean available() {
        return version > 0;
    }

    /** The file-system rights this version can handle. */
    public long fsMask() {
        if (version == 0) {
            return 0;
        }
        long m = (1L << 13) - 1; // execute .. make_sym
        if (version >= 2) {
            m |= FsAccess.REFER;
        }
        if (version >= 3) {
            m |= FsAccess.TRUNCATE;
        }
        if (version >= 5) {
            m |= FsAccess.IOCTL_DEV;
        }
        return m;
    }

    /** The network rights this version can handle. */
    public long netMask() {
        return version >= 4 ? NetAccess.ALL : 0;
    }

    /** The scopes this version knows. */
    public long scopeMask() {
        return version >= 6 ? Scope.ALL : 0;
    }

    /** The first version that has every bit of {@code fs}, {@code net} and {@code scope}. */
    public static int needed(long fs, long net, long scope) {
        for (int v = 1; v <= NEWEST; v++) {
            Abi a = new Abi(v);
            if ((fs & ~a.fsMask()) == 0 && (net & ~a.netMask()) == 0 && (scope & ~a.scopeMask()) == 0) {
                return v;
            }
        }
        return NEWEST;
    }
}
