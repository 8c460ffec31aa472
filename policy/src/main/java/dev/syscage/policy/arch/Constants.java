package dev.syscage.policy.arch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Named constants from the kernel's UAPI headers (O_*, AF_*, TCGETS, errno names, ...), as they
 * are on one architecture. Read from {@code constants/common.tsv} with per-arch overrides in
 * {@code constants/<arch>.tsv}; each line is {@code NAME<TAB>value} (decimal or 0x hex).
 */
public final class Constants {
    private static final Map<Arch, Constants> CACHE = Collections.synchronizedMap(new EnumMap<>(Arch.class));
    private static volatile Map<String, Integer> errnos;
    private static volatile Map<Integer, String> errnoNames;

    private final Map<String, Long> values;

    private Constants(Map<String, Long> values) {
        this.values = values;
    }

    public static Constants of(Arch arch) {
        return CACHE.computeIfAbsent(arch, a -> {
            Map<String, Long> m = new TreeMap<>();
            read("constants/common.tsv", m, true);
            read("constants/" + a.yamlName() + ".tsv", m, false);
            return new Constants(Collections.unmodifiableMap(m));
        });
    }

    public OptionalLong value(String name) {
        Long v = values.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    public Set<String> names() {
        return values.keySet();
    }

    /** The errno number for a name such as {@code EACCES} (the same on every supported arch). */
    public static OptionalLong errno(String name) {
        Integer v = errnoTable().get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** The name of an errno number, or {@code null}. */
    public static String errnoName(int value) {
        errnoTable();
        return errnoNames.get(value);
    }

    public static Set<String> errnoNames() {
        return errnoTable().keySet();
    }

    private static Map<String, Integer> errnoTable() {
        if (errnos == null) {
            synchronized (Constants.class) {
                if (errnos == null) {
                    // file order, so that for a shared number the name listed first
                    // (EAGAIN, EDEADLK, EOPNOTSUPP) is the one errnoName gives back
                    Map<String, Long> m = new LinkedHashMap<>();
                    read("constants/errno.tsv", m, true);
                    Map<String, Integer> byName = new TreeMap<>();
                    Map<Integer, String> byValue = new HashMap<>();
                    m.forEach((k, v) -> {
                        byName.put(k, v.intValue());
                        byValue.putIfAbsent(v.intValue(), k);
                    });
                    errnoNames = byValue;
                    errnos = Collections.unmodifiableMap(byName);
                }
            }
        }
        return errnos;
    }

    private static void read(String res, Map<String, Long> into, boolean required) {
        try (InputStream in = Constants.class.getResourceAsStream(res)) {
            if (in == null) {
                if (required) {
                    throw new IllegalStateException("missing resource " + res);
                }
                return;
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                String v = f[1].trim();
                long value = v.startsWith("0x") || v.startsWith("0X")
                        ? Long.parseUnsignedLong(v.substring(2), 16)
                        : Long.parseLong(v);
                into.put(f[0].trim(), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
