package dev.syscage.policy.compile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Relative syscall frequencies used to shape the search tree: the shipped table
 * ({@code arch/frequency/x86_64.tsv}, measured from real programs by
 * tools/measure-syscall-frequency), keyed by name so it serves every arch.
 */
public final class Frequency {
    private static volatile Map<String, Long> shipped;

    private Frequency() {}

    public static Map<String, Long> shipped() {
        if (shipped == null) {
            synchronized (Frequency.class) {
                if (shipped == null) {
                    shipped = load("/dev/syscage/policy/arch/frequency/x86_64.tsv");
                }
            }
        }
        return shipped;
    }

    private static Map<String, Long> load(String res) {
        Map<String, Long> m = new HashMap<>();
        try (InputStream in = Frequency.class.getResourceAsStream(res)) {
            if (in == null) {
                return Map.of();
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length >= 2) {
                    m.merge(f[0], (long) Double.parseDouble(f[1]), Long::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(m);
    }
}
