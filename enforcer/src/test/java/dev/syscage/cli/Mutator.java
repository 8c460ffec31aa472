package dev.syscage.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes deterministic mutants of a text file for {@link MutantFuzzTest}: byte and bit flips, line
 * deletions and duplications, token swaps and replacements, indentation changes, truncations and
 * deep nesting insertions, one to three of them stacked. A mutant says what was done to it and
 * which lines differ from the original (in both numberings), found by comparing the two texts
 * line by line from each end.
 */
final class Mutator {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_@.-]+");
    private static final String[] NESTING = {"[", "{", "(", "!", "~", "- ", "((!", "[{"};
    private static final int[] DEPTHS = {10, 40, 70, 300, 2000};

    /** A mutant: its bytes, the operations, and the changed lines (1-based, inclusive; empty when from > to). */
    record Mutant(byte[] bytes, String what, int origFrom, int origTo, int mutFrom, int mutTo) {
        boolean touchesOriginal(int from, int to) {
            return overlaps(origFrom, origTo, from, to);
        }

        boolean touchesMutant(int from, int to) {
            return overlaps(mutFrom, mutTo, from, to);
        }

        /** A pure insertion or deletion changes no line on one side: the lines beside it count as touched. */
        private static boolean overlaps(int a, int b, int from, int to) {
            if (a > b) {
                return from <= a && to >= b;
            }
            return from <= b && to >= a;
        }
    }

    private final byte[] original;
    private final List<String> tokens = new ArrayList<>();

    Mutator(byte[] original) {
        this.original = original;
        Matcher m = TOKEN.matcher(new String(original, StandardCharsets.UTF_8));
        while (m.find()) {
            tokens.add(m.group());
        }
    }

    Mutant mutant(long seed) {
        Random r = new Random(seed);
        byte[] b = original;
        List<String> what = new ArrayList<>();
        int ops = r.nextInt(10) < 7 ? 1 : 2 + r.nextInt(2);
        for (int i = 0; i < ops; i++) {
            int op = r.nextInt(10);
            b = switch (op) {
                case 0 -> byteFlip(b, r, what);
                case 1 -> bitFlip(b, r, what);
                case 2 -> deleteLine(b, r, what);
                case 3 -> duplicateLine(b, r, what);
                case 4 -> swapTokens(b, r, what);
                case 5, 6 -> replaceToken(b, r, what);
                case 7 -> indent(b, r, what);
                case 8 -> truncate(b, r, what);
                default -> nest(b, r, what);
            };
        }
        return diff(b, String.join("; ", what));
    }

    private static byte[] byteFlip(byte[] b, Random r, List<String> what) {
        if (b.length == 0) {
            return b;
        }
        byte[] out = b.clone();
        int at = r.nextInt(b.length);
        out[at] = (byte) r.nextInt(256);
        what.add("byte " + at + " := " + (out[at] & 0xff));
        return out;
    }

    private static byte[] bitFlip(byte[] b, Random r, List<String> what) {
        if (b.length == 0) {
            return b;
        }
        byte[] out = b.clone();
        int at = r.nextInt(b.length);
        int bit = r.nextInt(8);
        out[at] ^= (byte) (1 << bit);
        what.add("bit " + bit + " of byte " + at);
        return out;
    }

    private static byte[] deleteLine(byte[] b, Random r, List<String> what) {
        List<String> lines = lines(b);
        if (lines.isEmpty()) {
            return b;
        }
        int at = r.nextInt(lines.size());
        lines.remove(at);
        what.add("delete line " + (at + 1));
        return join(lines);
    }

    private static byte[] duplicateLine(byte[] b, Random r, List<String> what) {
        List<String> lines = lines(b);
        if (lines.isEmpty()) {
            return b;
        }
        int at = r.nextInt(lines.size());
        lines.add(at, lines.get(at));
        what.add("duplicate line " + (at + 1));
        return join(lines);
    }

    private static byte[] swapTokens(byte[] b, Random r, List<String> what) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        List<int[]> spans = spans(s);
        if (spans.size() < 2) {
            return b;
        }
        int[] x = spans.get(r.nextInt(spans.size()));
        int[] y = spans.get(r.nextInt(spans.size()));
        if (x[0] > y[0]) {
            int[] t = x;
            x = y;
            y = t;
        }
        if (x[1] > y[0]) {
            return b;
        }
        what.add("swap '" + s.substring(x[0], x[1]) + "' and '" + s.substring(y[0], y[1]) + "'");
        String out = s.substring(0, x[0])
                + s.substring(y[0], y[1])
                + s.substring(x[1], y[0])
                + s.substring(x[0], x[1])
                + s.substring(y[1]);
        return out.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One token replaced by another token of the original file (an action word, a syscall, a key). */
    private byte[] replaceToken(byte[] b, Random r, List<String> what) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        List<int[]> spans = spans(s);
        if (spans.isEmpty() || tokens.isEmpty()) {
            return b;
        }
        int[] x = spans.get(r.nextInt(spans.size()));
        String by = tokens.get(r.nextInt(tokens.size()));
        what.add("replace '" + s.substring(x[0], x[1]) + "' by '" + by + "'");
        return (s.substring(0, x[0]) + by + s.substring(x[1])).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] indent(byte[] b, Random r, List<String> what) {
        List<String> lines = lines(b);
        if (lines.isEmpty()) {
            return b;
        }
        int at = r.nextInt(lines.size());
        String l = lines.get(at);
        if (r.nextBoolean() || !l.startsWith(" ")) {
            lines.set(at, " ".repeat(1 + r.nextInt(4)) + l);
            what.add("indent line " + (at + 1));
        } else {
            lines.set(at, l.substring(1));
            what.add("outdent line " + (at + 1));
        }
        return join(lines);
    }

    private static byte[] truncate(byte[] b, Random r, List<String> what) {
        int at = b.length == 0 ? 0 : r.nextInt(b.length);
        what.add("truncate at " + at);
        return Arrays.copyOf(b, at);
    }

    private static byte[] nest(byte[] b, Random r, List<String> what) {
        int at = b.length == 0 ? 0 : r.nextInt(b.length);
        String open = NESTING[r.nextInt(NESTING.length)];
        int depth = DEPTHS[r.nextInt(DEPTHS.length)];
        what.add("insert " + depth + " x '" + open + "' at " + at);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b, 0, at);
        out.writeBytes(open.repeat(depth).getBytes(StandardCharsets.ISO_8859_1));
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static List<int[]> spans(String s) {
        List<int[]> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            out.add(new int[] {m.start(), m.end()});
        }
        return out;
    }

    /** Lines with their terminators, so joining gives the bytes back. */
    private static List<String> lines(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                out.add(s.substring(start, i + 1));
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static byte[] join(List<String> lines) {
        return String.join("", lines).getBytes(StandardCharsets.ISO_8859_1);
    }

    private Mutant diff(byte[] mutated, String what) {
        List<String> a = splitLines(original);
        List<String> b = splitLines(mutated);
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix
                && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        return new Mutant(mutated, what, prefix + 1, a.size() - suffix, prefix + 1, b.size() - suffix);
    }

    /** Lines as the loader counts them (\n, \r\n or \r end one). */
    private static List<String> splitLines(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1).lines().toList();
    }
}
