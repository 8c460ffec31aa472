package dev.syscage.policy.family;

import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.arch.SyscallTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Syscall families: syscalls that do the same job ({@code open}, {@code openat}, {@code openat2},
 * {@code creat}), so a rule on one of them can be walked around with another. The table is data
 * ({@code dev/syscage/policy/arch/families.tsv}), one for every architecture: a member an
 * architecture lacks is simply absent there. A syscall is in at most one family.
 */
public final class Families {
    private static final String RESOURCE = "/dev/syscage/policy/arch/families.tsv";
    private static volatile Families shipped;

    private final Map<String, List<String>> members;
    private final Map<String, String> familyOf;

    private Families(Map<String, List<String>> members) {
        this.members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        Map<String, String> of = new LinkedHashMap<>();
        members.forEach((family, names) -> names.forEach(n -> {
            String before = of.putIfAbsent(n, family);
            if (before != null) {
                throw new IllegalArgumentException(n + " is in two families: " + before + " and " + family);
            }
        }));
        this.familyOf = Collections.unmodifiableMap(of);
    }

    /** From family names to their members (in table order). */
    public static Families of(Map<String, List<String>> members) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        members.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return new Families(copy);
    }

    /** The table shipped with syscage. */
    public static Families shipped() {
        if (shipped == null) {
            synchronized (Families.class) {
                if (shipped == null) {
                    shipped = load();
                }
            }
        }
        return shipped;
    }

    /** Family names to members, in table order. */
    public Map<String, List<String>> all() {
        return members;
    }

    /** The family of {@code syscall}, if it is in one. */
    public Optional<String> familyOf(String syscall) {
        return Optional.ofNullable(familyOf.get(syscall));
    }

    /** The other members of {@code syscall}'s family that {@code table}'s architecture has, in table order. */
    public List<Syscall> siblings(SyscallTable table, String syscall) {
        String family = familyOf.get(syscall);
        if (family == null) {
            return List.of();
        }
        List<Syscall> out = new ArrayList<>();
        for (String m : members.get(family)) {
            if (!m.equals(syscall)) {
                table.byName(m).ifPresent(out::add);
            }
        }
        return out;
    }

    // line = family TAB member { " " member }
    private static Families load() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        try (InputStream in = Families.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length != 2 || f[1].isBlank() || m.containsKey(f[0].trim())) {
                    throw new IllegalStateException(
                            RESOURCE + ":" + lineNo + ": expected family<TAB>members, each family once");
                }
                m.put(f[0].trim(), List.of(f[1].trim().split(" +")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Families(m);
    }
}
