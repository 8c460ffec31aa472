package dev.syscage.policy.landlock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Landlock's file-system access rights (the kernel's {@code LANDLOCK_ACCESS_FS_*} bits), and the
 * words a policy uses for them: the kernel's own names (lower case, '_' or '-') and a few
 * words that group them the way people think of file access.
 */
public final class FsAccess {
    public static final long EXECUTE = 1L << 0;
    public static final long WRITE_FILE = 1L << 1;
    public static final long READ_FILE = 1L << 2;
    public static final long READ_DIR = 1L << 3;
    public static final long REMOVE_DIR = 1L << 4;
    public static final long REMOVE_FILE = 1L << 5;
    public static final long MAKE_CHAR = 1L << 6;
    public static final long MAKE_DIR = 1L << 7;
    public static final long MAKE_REG = 1L << 8;
    public static final long MAKE_SOCK = 1L << 9;
    public static final long MAKE_FIFO = 1L << 10;
    public static final long MAKE_BLOCK = 1L << 11;
    public static final long MAKE_SYM = 1L << 12;
    public static final long REFER = 1L << 13;
    public static final long TRUNCATE = 1L << 14;
    public static final long IOCTL_DEV = 1L << 15;

    /** Every right syscage knows. */
    public static final long ALL = (1L << 16) - 1;
    /** The rights that mean something on a file (not a directory): a rule on a file keeps only these. */
    public static final long FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;

    /** The kernel's names, by bit, lower case. */
    private static final String[] KERNEL = {
        "execute",
        "write_file",
        "read_file",
        "read_dir",
        "remove_dir",
        "remove_file",
        "make_char",
        "make_dir",
        "make_reg",
        "make_sock",
        "make_fifo",
        "make_block",
        "make_sym",
        "refer",
        "truncate",
        "ioctl_dev"
    };

    /** The policy's own words, each a set of kernel rights (in the order docs/policy.md lists them). */
    public static final Map<String, Long> WORDS;

    static {
        Map<String, Long> w = new LinkedHashMap<>();
        w.put("read", READ_FILE | READ_DIR);
        w.put("write", WRITE_FILE | TRUNCATE);
        w.put("execute", EXECUTE);
        w.put("create", MAKE_REG | MAKE_DIR | MAKE_SYM | MAKE_FIFO | MAKE_SOCK);
        w.put("remove", REMOVE_FILE | REMOVE_DIR);
        w.put("rename", REFER);
        w.put("truncate", TRUNCATE);
        w.put("make-device", MAKE_CHAR | MAKE_BLOCK);
        w.put("ioctl-dev", IOCTL_DEV);
        w.put("all", ALL);
        WORDS = java.util.Collections.unmodifiableMap(w);
    }

    private FsAccess() {}

    /** The rights a word names: a policy word, or a kernel name with '_' or '-'; empty when unknown. */
    public static Optional<Long> parse(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (WORDS.containsKey(w)) {
            return Optional.of(WORDS.get(w));
        }
        String k = w.replace('-', '_');
        for (int i = 0; i < KERNEL.length; i++) {
            if (KERNEL[i].equals(k)) {
                return Optional.of(1L << i);
            }
        }
        return Optional.empty();
    }

    /** Every word {@link #parse} takes, for "did you mean" and messages. */
    public static List<String> words() {
        List<String> out = new ArrayList<>(WORDS.keySet());
        for (String k : KERNEL) {
            out.add(k.replace('_', '-'));
        }
        return out;
    }

    /** The kernel names of the bits of {@code mask}, e.g. {@code [read_file, read_dir]}. */
    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < KERNEL.length; i++) {
            if ((mask & (1L << i)) != 0) {
                out.add(KERNEL[i]);
            }
        }
        return out;
    }
}
