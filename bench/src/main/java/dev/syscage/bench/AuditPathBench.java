package dev.syscage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.SyscallTable;
import dev.syscage.policy.model.Supervision.LogLevel;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.DecodedCall;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallEvent;
import dev.syscage.supervise.TargetMemory;
import dev.syscage.supervise.audit.AuditFormat;
import dev.syscage.supervise.audit.AuditLog;
import dev.syscage.supervise.decode.SyscallDecoder;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The supervisor's per-call costs outside the kernel, and reading its log back (moved here from
 * the timings DecodeSpeedTest and AuditLogLoadTest used to print; the tests keep what they
 * assert): decoding an openat with path resolution; writing a million audit records from eight
 * threads and a burst of text records; and reading the million back with the one audit-log reader
 * (schema check, typed records) beside a plain Jackson tree read of each line, its comparator.
 * Medians of ROUNDS rounds. usage: AuditPathBench DIR [ROUNDS]
 */
public final class AuditPathBench {
    private static final int THREADS = 8;
    private static final int RECORDS = 1_000_000;
    private static final int BURST = 200_000;
    private static final int DECODES = 200_000;
    private static final long AT_FDCWD = -100;

    private AuditPathBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Files.createDirectories(dir);
        double[] decode = new double[rounds];
        double[] produced = new double[rounds];
        double[] closed = new double[rounds];
        double[] burst = new double[rounds];
        double[] reader = new double[rounds];
        double[] tree = new double[rounds];
        decodeNanos(); // warm-up
        for (int r = 0; r < rounds; r++) {
            decode[r] = decodeNanos();
            Path log = dir.resolve("audit.jsonl");
            double[] w = writeMillion(log);
            produced[r] = w[0];
            closed[r] = w[1];
            burst[r] = burst(dir.resolve("burst.txt"));
            reader[r] = readWithReader(log);
            tree[r] = readAsTrees(log);
        }
        System.out.printf(Locale.ROOT, "audit path: %d rounds, medians%n", rounds);
        System.out.printf(
                Locale.ROOT,
                "decode(openat) with path resolution: %.2f us per call after warm-up%n",
                median(decode) / 1000);
        System.out.printf(
                Locale.ROOT,
                "audit log, 1M records from %d threads: record() %.0f records/s; complete at close "
                        + "%.0f records/s%n",
                THREADS,
                median(produced),
                median(closed));
        System.out.printf(
                Locale.ROOT,
                "audit log, burst of %d text records: complete at close %.0f records/s%n",
                BURST,
                median(burst));
        System.out.printf(
                Locale.ROOT,
                "reading the 1M-record log: AuditLogReader %.0f records/s, Jackson readTree %.0f "
                        + "records/s; reader / readTree time: %.2f%n",
                RECORDS / median(reader) * 1e9,
                RECORDS / median(tree) * 1e9,
                median(reader) / median(tree));
    }

    /** Nanoseconds per decode of openat(AT_FDCWD, "lib/x86_64-linux-gnu/libc.so.6", O_RDONLY|O_CLOEXEC). */
    private static double decodeNanos() {
        SyscallDecoder d = new SyscallDecoder(Arch.X86_64);
        Memory mem = new Memory("/home/user");
        long[] args = {AT_FDCWD, mem.string("lib/x86_64-linux-gnu/libc.so.6"), 0x80000, 0, 0, 0};
        int nr = SyscallTable.of(Arch.X86_64).byName("openat").orElseThrow().nr();
        DecodedCall last = null;
        long start = System.nanoTime();
        for (int i = 0; i < DECODES; i++) {
            last = d.decode(nr, args, mem);
        }
        long took = System.nanoTime() - start;
        if (!last.resolvedPath().orElseThrow().equals("/home/user/lib/x86_64-linux-gnu/libc.so.6")) {
            throw new AssertionError("decoded " + last.resolvedPath());
        }
        return (double) took / DECODES;
    }

    /** {records/s at record(), records/s complete at close}. */
    private static double[] writeMillion(Path file) throws Exception {
        Files.deleteIfExists(file);
        List<String> errors = new ArrayList<>();
        AuditLog log = AuditLog.open(file, AuditFormat.JSONL, LogLevel.ALL, errors::add);
        Decision deny = Decision.errno(13, "web.yaml:12");
        Decision allow = Decision.allow("web.yaml:10");
        int perThread = RECORDS / THREADS;
        long t0 = System.nanoTime();
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int first = t * perThread + 1;
            Thread p = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int seq = first + i;
                    log.record(openat(seq, 1000 + seq % THREADS), seq % 3 == 0 ? deny : allow, seq);
                }
            });
            producers.add(p);
            p.start();
        }
        for (Thread p : producers) {
            p.join();
        }
        long produced = System.nanoTime();
        log.close();
        long closed = System.nanoTime();
        if (!errors.isEmpty() || log.written() != RECORDS) {
            throw new AssertionError("the log lost records: " + log.written() + " written, " + errors);
        }
        return new double[] {RECORDS * 1e9 / (produced - t0), RECORDS * 1e9 / (closed - t0)};
    }

    private static double burst(Path file) throws IOException {
        Files.deleteIfExists(file);
        AuditLog log = AuditLog.open(file, AuditFormat.TEXT, LogLevel.ALL, e -> {});
        long t0 = System.nanoTime();
        for (int i = 1; i <= BURST; i++) {
            log.record(openat(i, 7), Decision.allow("web.yaml:10"), i);
        }
        log.close();
        return BURST * 1e9 / (System.nanoTime() - t0);
    }

    /** Nanoseconds to read the log with the one reader, every record checked and typed. */
    private static double readWithReader(Path log) throws Exception {
        long t0 = System.nanoTime();
        long[] n = new long[1];
        try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            AuditLogReader.forEach(log.toString(), in, c -> n[0] += c.seq());
        }
        long took = System.nanoTime() - t0;
        check(n[0]);
        return took;
    }

    /** Nanoseconds to read the log as Jackson trees, a line at a time, and nothing more. */
    private static double readAsTrees(Path log) throws IOException {
        ObjectMapper json = new ObjectMapper();
        long t0 = System.nanoTime();
        long n = 0;
        try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode r = json.readTree(line);
                n += r.path("seq").asLong();
            }
        }
        long took = System.nanoTime() - t0;
        check(n);
        return took;
    }

    /** Both reads saw every seq once: their sum. */
    private static void check(long sum) {
        if (sum != (long) RECORDS * (RECORDS + 1) / 2) {
            throw new AssertionError("read " + sum + ", not every record once");
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static SyscallContext openat(long seq, int pid) {
        SyscallEvent e = new SyscallEvent(
                seq,
                1_714_566_896_000_000_013L,
                pid,
                pid,
                Arch.X86_64,
                257,
                new long[] {AT_FDCWD, 0x7ffd_1234_5678L, 0x80000, 0, 0, 0},
                0x401000,
                SyscallEvent.Source.TRACE,
                0);
        DecodedCall decoded = new DecodedCall(
                "openat",
                List.of(
                        new DecodedCall.DecodedArg("dfd", "fd", AT_FDCWD, "AT_FDCWD"),
                        new DecodedCall.DecodedArg("filename", "path", 0x7ffd_1234_5678L, "\"/etc/passwd\""),
                        new DecodedCall.DecodedArg("flags", "flags", 0x80000, "O_RDONLY|O_CLOEXEC"),
                        new DecodedCall.DecodedArg("mode", "mode", 0, "0")),
                Optional.of("/etc/passwd"),
                Optional.of("/etc/passwd"));
        Memory cat = Memory.CAT;
        return new SyscallContext() {
            @Override
            public SyscallEvent event() {
                return e;
            }

            @Override
            public String name() {
                return "openat";
            }

            @Override
            public TargetMemory memory() {
                return cat;
            }

            @Override
            public DecodedCall decoded() {
                return decoded;
            }
        };
    }

    /** A target made of strings at made-up addresses, a cwd, and fixed /proc facts. */
    private static final class Memory implements TargetMemory {
        static final Memory CAT = new Memory("/home/user");
        private final Map<Long, byte[]> strings = new HashMap<>();
        private final String cwd;
        private long next = 0x7ffd_0000_0000L;

        Memory(String cwd) {
            this.cwd = cwd;
        }

        long string(String s) {
            long at = next;
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            strings.put(at, Arrays.copyOf(b, b.length + 1));
            next += b.length + 64;
            return at;
        }

        @Override
        public Optional<String> readString(long address, int max) {
            byte[] b = strings.get(address);
            if (b == null) {
                return Optional.empty();
            }
            int n = Math.min(max, b.length - 1);
            return Optional.of(new String(b, 0, n, StandardCharsets.UTF_8));
        }

        @Override
        public Optional<byte[]> read(long address, int length) {
            byte[] b = strings.get(address);
            return b == null || b.length < length ? Optional.empty() : Optional.of(Arrays.copyOf(b, length));
        }

        @Override
        public Optional<String> cwd() {
            return Optional.of(cwd);
        }

        @Override
        public Optional<String> fdPath(int fd) {
            return Optional.empty();
        }

        @Override
        public Optional<String> comm() {
            return Optional.of("cat");
        }

        @Override
        public Optional<String> exe() {
            return Optional.of("/usr/bin/cat");
        }

        @Override
        public int ppid() {
            return 1200;
        }

        @Override
        public int uid() {
            return 1000;
        }
    }
}
