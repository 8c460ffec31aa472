package dev.syscage.supervise.decode;

import dev.syscage.supervise.TargetMemory;
import java.util.Optional;

/**
 * A {@code struct sockaddr} read from the target, written as strace does:
 * {@code {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}}. AF_UNIX,
 * AF_INET and AF_INET6 are decoded; any other family, a length too short for its family, or
 * memory that cannot be read prints as the pointer. A filesystem AF_UNIX address is also a path
 * a rule can match.
 */
final class SockaddrText {
    /** sizeof(struct sockaddr_storage): more is never read. */
    private static final int MAX = 128;

    /** The text, and the socket file's path for a non-abstract AF_UNIX address. */
    record Decoded(String text, Optional<String> unixPath) {}

    private final NameSet families;
    private final long afUnix;
    private final long afInet;
    private final long afInet6;

    SockaddrText(NameSets sets) {
        this.families = sets.resolve("address_family", NameSet.Type.ENUM, NameSets.RESOURCE);
        this.afUnix = sets.value("AF_UNIX");
        this.afInet = sets.value("AF_INET");
        this.afInet6 = sets.value("AF_INET6");
    }

    Decoded decode(long address, long length, TargetMemory mem) {
        if (address == 0) {
            return new Decoded("NULL", Optional.empty());
        }
        int n = (int) Math.min(Math.max(length, 0), MAX);
        Optional<byte[]> read = n < 2 ? Optional.empty() : mem.read(address, n);
        if (read.isEmpty()) {
            return pointer(address);
        }
        byte[] b = read.get();
        int family = u16le(b, 0);
        String head = "{sa_family=" + families.format(family);
        if (family == afUnix) {
            return unix(head, b);
        } else if (family == afInet && n >= 8) {
            return new Decoded(
                    head + ", sin_port=htons(" + u16be(b, 2) + "), sin_addr=inet_addr(\"" + ipv4(b, 4) + "\")}",
                    Optional.empty());
        } else if (family == afInet6 && n >= 24) {
            String scope = n >= 28 ? ", sin6_scope_id=" + Integer.toUnsignedString(u32le(b, 24)) : "";
            return new Decoded(
                    head + ", sin6_port=htons(" + u16be(b, 2) + "), sin6_flowinfo=htonl("
                            + Integer.toUnsignedString(u32be(b, 4)) + "), inet_pton(AF_INET6, \"" + ipv6(b, 8)
                            + "\", &sin6_addr)" + scope + "}",
                    Optional.empty());
        }
        return pointer(address);
    }

    private static Decoded unix(String head, byte[] b) {
        if (b.length == 2) {
            return new Decoded(head + "}", Optional.empty());
        }
        if (b[2] == 0) {
            // abstract: every byte of the given length is the name, NULs included
            return new Decoded(
                    head + ", sun_path=@"
                            + Text.quote(java.util.Arrays.copyOfRange(b, 3, b.length), b.length - 3, false) + "}",
                    Optional.empty());
        }
        int end = 2;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        byte[] path = java.util.Arrays.copyOfRange(b, 2, end);
        return new Decoded(
                head + ", sun_path=" + Text.quote(path, path.length, false) + "}",
                Optional.of(new String(path, java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static Decoded pointer(long address) {
        return new Decoded(Text.pointer(address), Optional.empty());
    }

    static String ipv4(byte[] b, int at) {
        return (b[at] & 0xff) + "." + (b[at + 1] & 0xff) + "." + (b[at + 2] & 0xff) + "." + (b[at + 3] & 0xff);
    }

    /** RFC 5952 text (inet_ntop): the longest run of two or more zero groups as "::". */
    static String ipv6(byte[] b, int at) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = u16be(b, at + 2 * i);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        boolean v4 = bestStart == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff));
        int groups = v4 ? 6 : 8;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < groups; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (v4) {
            sb.append(sb.charAt(sb.length() - 1) == ':' ? "" : ":").append(ipv4(b, at + 12));
        }
        return sb.toString();
    }

    private static int u16le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int u16be(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static int u32le(byte[] b, int at) {
        return u16le(b, at) | u16le(b, at + 2) << 16;
    }

    private static int u32be(byte[] b, int at) {
        return u16be(b, at) << 16 | u16be(b, at + 2);
    }
}
