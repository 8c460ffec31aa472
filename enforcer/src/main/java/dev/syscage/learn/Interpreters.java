package dev.syscage.learn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The file the kernel itself opens to run an executable: an ELF program's interpreter (its
 * {@code PT_INTERP}, the dynamic loader) or a script's {@code #!} interpreter. The program never
 * names it in a syscall, yet under Landlock it needs {@code execute} (and {@code read_file})
 * there, so learn records it beside the file executed.
 */
final class Interpreters {
    /** The kernel reads at most this much of a {@code #!} line (BINPRM_BUF_SIZE). */
    private static final int SHEBANG_MAX = 256;

    private static final int PT_INTERP = 3;
    private static final int MAX_PHDRS = 256;

    private Interpreters() {}

    /** The interpreter {@code file} names, as written there; empty for none or when it cannot be read. */
    static Optional<String> of(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = read(ch, 0, 64);
            if (head.remaining() >= 2 && head.get(0) == '#' && head.get(1) == '!') {
                return shebang(read(ch, 0, SHEBANG_MAX));
            }
            if (head.remaining() >= 52 && head.getInt(0) == 0x7f454c46) {
                return elf(ch, head);
            }
        } catch (IOException | RuntimeException e) {
            // not readable by syscage, or a malformed file: the kernel will refuse it too, or it runs without
        }
        return Optional.empty();
    }

    /** {@code #!/bin/sh -e}: the word after {@code #!} (spaces and tabs skipped). */
    private static Optional<String> shebang(ByteBuffer b) {
        int i = 2;
        while (i < b.limit() && (b.get(i) == ' ' || b.get(i) == '\t')) {
            i++;
        }
        int start = i;
        while (i < b.limit() && b.get(i) != ' ' && b.get(i) != '\t' && b.get(i) != '\n' && b.get(i) != 0) {
            i++;
        }
        byte[] name = new byte[i - start];
        b.get(start, name);
        String s = new String(name, StandardCharsets.UTF_8);
        return s.startsWith("/") ? Optional.of(s) : Optional.empty();
    }

    /** The PT_INTERP segment's string, for 32- and 64-bit ELF of either byte order. */
    private static Optional<String> elf(FileChannel ch, ByteBuffer head) throws IOException {
        boolean is64 = head.get(4) == 2;
        head.order(head.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long phoff = is64 ? head.getLong(0x20) : Integer.toUnsignedLong(head.getInt(0x1c));
        int phentsize = Short.toUnsignedInt(head.getShort(is64 ? 0x36 : 0x2a));
        int phnum = Math.min(Short.toUnsignedInt(head.getShort(is64 ? 0x38 : 0x2c)), MAX_PHDRS);
        if (phentsize < (is64 ? 56 : 32)) {
            return Optional.empty();
        }
        ByteBuffer ph = read(ch, phoff, phentsize * phnum).order(head.order());
        for (int i = 0; i + phentsize <= ph.limit(); i += phentsize) {
            if (ph.getInt(i) != PT_INTERP) {
                continue;
            }
            long off = is64 ? ph.getLong(i + 8) : Integer.toUnsignedLong(ph.getInt(i + 4));
            long size = is64 ? ph.getLong(i + 32) : Integer.toUnsignedLong(ph.getInt(i + 16));
            if (size <= 1 || size > 4096) {
                return Optional.empty();
            }
            ByteBuffer s = read(ch, off, (int) size);
            byte[] name = new byte[s.limit()];
            s.get(0, name);
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            String p = new String(name, 0, len, StandardCharsets.UTF_8);
            return p.startsWith("/") ? Optional.of(p) : Optional.empty();
        }
        return Optional.empty();
    }

    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int got = ch.read(b, at + b.position());
            if (got < 0) {
                break;
            }
        }
        return b.flip();
    }
}
