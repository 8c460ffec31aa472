package dev.syscage.supervise.notify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What /proc/TID/status says about a thread's identity: its process, the credentials a file
 * open is checked with (effective and filesystem uid/gid, supplementary groups, effective
 * capabilities) and its umask. The supervisor opens files for the target only when these equal
 * its own (see {@link #sameRightsAs}): it must never lend the target rights it does not have.
 *
 * @param known false when the status could not be read (the thread is gone)
 */
record Creds(
        boolean known,
        int tgid,
        String euid,
        String fsuid,
        String egid,
        String fsgid,
        String groups,
        String capEff,
        int umask) {
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

    static Creds unknown(int tid) {
        return new Creds(false, tid, "", "", "", "", "", "", 0);
    }

    /** The supervisor's own (the JVM's). */
    static Creds self() {
        try {
            return parse(-1, Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    /** From the text of /proc/TID/status (only the lines needed are looked at). */
    static Creds parse(int tid, String status) {
        int tgid = tid;
        String[] uid = {"", "", "", ""};
        String[] gid = {"", "", "", ""};
        String groups = "";
        String cap = "";
        int umask = 022;
        int at = 0;
        int n = status.length();
        while (at < n) {
            int eol = status.indexOf('\n', at);
            if (eol < 0) {
                eol = n;
            }
            int colon = status.indexOf(':', at);
            if (colon > at && colon < eol) {
                String key = status.substring(at, colon);
                switch (key) {
                    case "Tgid" -> tgid = Integer.parseInt(value(status, colon, eol));
                    case "Uid" -> uid = WHITESPACE.split(value(status, colon, eol));
                    case "Gid" -> gid = WHITESPACE.split(value(status, colon, eol));
                    case "Groups" -> groups = value(status, colon, eol);
                    case "CapEff" -> cap = value(status, colon, eol);
                    case "Umask" -> umask = Integer.parseInt(value(status, colon, eol), 8);
                    default -> {}
                }
            }
            at = eol + 1;
        }
        return new Creds(
                uid.length == 4 && !uid[1].isEmpty(), tgid, uid[1], uid[3], gid[1], gid[3], groups, cap, umask);
    }

    private static String value(String status, int colon, int eol) {
        return status.substring(colon + 1, eol).strip();
    }

    /** The same rights to open a file: effective and fs ids, groups and effective capabilities. */
    boolean sameRightsAs(Creds other) {
        return known
                && other.known
                && euid.equals(other.euid)
                && fsuid.equals(other.fsuid)
                && egid.equals(other.egid)
                && fsgid.equals(other.fsgid)
                && groups.equals(other.groups)
                && capEff.equals(other.capEff);
    }
}
