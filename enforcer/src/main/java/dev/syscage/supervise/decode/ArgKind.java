package dev.syscage.supervise.decode;

import java.util.Locale;
import java.util.Optional;

/**
 * How one syscall argument is read and printed. The word ({@link #word()}) is what
 * {@code argkinds.tsv} names and what {@code DecodedArg.kind} carries; some kinds take a detail
 * after a colon: another argument of the same call (the length of a buffer) or a name set.
 */
enum ArgKind {
    /** Decimal, signed or not as the C type says. */
    INT(Detail.NONE),
    /** Hex, for bit masks nobody named yet. */
    HEX(Detail.NONE),
    /** An address: {@code NULL} or hex. */
    POINTER(Detail.NONE),
    /** A file descriptor: decimal int. */
    FD(Detail.NONE),
    /** The directory descriptor of an *at() call: {@code AT_FDCWD} or decimal. */
    DIRFD(Detail.NONE),
    /** A path, read in full (PATH_MAX), quoted; also resolved for {@code DecodedCall}. */
    PATH(Detail.NONE),
    /** A NUL-terminated string, quoted and cut at the string limit. */
    STRING(Detail.NONE),
    /** A NULL-terminated array of strings (argv): {@code ["ls", "-l"]}. */
    STRING_ARRAY(Detail.NONE),
    /** Bytes written: as many as the length argument says, up to the string limit. */
    BUFFER(Detail.ARG),
    /** A struct sockaddr of the length argument's size: AF_UNIX, AF_INET, AF_INET6 decoded. */
    SOCKADDR(Detail.ARG),
    /** File mode bits: {@code 0644}, with the file type named ({@code S_IFCHR|0600}). */
    MODE(Detail.NONE),
    /** open's mode, printed only when the flags argument has O_CREAT or O_TMPFILE, as strace does. */
    OPEN_MODE(Detail.ARG),
    /** openat2's struct open_how, of the size argument's size. */
    OPEN_HOW(Detail.ARG),
    /** Bits named by a flag set. */
    FLAGS(Detail.SET),
    /** A value named by an enum set. */
    ENUM(Detail.SET),
    /** A signal number: {@code SIGTERM}, {@code SIGRT_3}, {@code 0}. */
    SIGNAL(Detail.NONE),
    /** clone's flags: CLONE_* bits and the exit signal in the low byte. */
    CLONE_FLAGS(Detail.NONE);

    /** What follows the colon of a kind in argkinds.tsv. */
    enum Detail {
        NONE,
        ARG,
        SET
    }

    private final Detail detail;

    ArgKind(Detail detail) {
        this.detail = detail;
    }

    Detail detail() {
        return detail;
    }

    private final String word = name().toLowerCase(Locale.ROOT);

    /** The lower-case word: {@code string_array}. */
    String word() {
        return word;
    }

    static Optional<ArgKind> byWord(String word) {
        for (ArgKind k : values()) {
            if (k.word().equals(word)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
