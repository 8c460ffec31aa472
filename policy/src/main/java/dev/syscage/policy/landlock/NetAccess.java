package dev.syscage.policy.landlock;

/** Landlock's network rights (ABI 4): TCP bind and connect, by port. */
public final class NetAccess {
    public static final long BIND_TCP = 1L << 0;
    public static final long CONNECT_TCP = 1L << 1;
    public static final long ALL = BIND_TCP | CONNECT_TCP;

    private NetAccess() {}

    public static String name(long bit) {
        return bit == BIND_TCP ? "bind_tcp" : bit == CONNECT_TCP ? "connect_tcp" : "0x" + Long.toHexString(bit);
    }
}
