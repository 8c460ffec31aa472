package dev.syscage.policy.arch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The syscalls of one architecture, read from {@code syscalls/<arch>.tsv} in this package's
 * resources. Each line is {@code nr<TAB>name<TAB>params}, params being {@code ;}-separated
 * {@code ctype name} pairs as in the kernel's prototypes (see tools/check-syscall-tables).
 */
public final class SyscallTable {
    private static final Map<Arch, SyscallTable> CACHE = Collections.synchronizedMap(new EnumMap<>(Arch.class));

    private final Arch arch;
    private final Map<String, Syscall> byName;
    private final TreeMap<Integer, Syscall> byNumber;

    private SyscallTable(Arch arch, List<Syscall> syscalls) {
        this.arch = arch;
        this.byName = new LinkedHashMap<>();
        this.byNumber = new TreeMap<>();
        for (Syscall s : syscalls) {
            byName.put(s.name(), s);
            byNumber.put(s.nr(), s);
        }
    }

    public static SyscallTable of(Arch arch) {
        return CACHE.computeIfAbsent(arch, SyscallTable::load);
    }

    public Arch arch() {
        return arch;
    }

    public Optional<Syscall> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<Syscall> byNumber(int nr) {
        return Optional.ofNullable(byNumber.get(nr));
    }

    public boolean isKnown(int nr) {
        return byNumber.containsKey(nr);
    }

    public Collection<Syscall> all() {
        return Collections.unmodifiableCollection(byNumber.values());
    }

    public int maxNumber() {
        return byNumber.lastKey();
    }

    private static SyscallTable load(Arch arch) {
        String res = "syscalls/" + arch.yamlName() + ".tsv";
        try (InputStream in = SyscallTable.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + res);
            }
            List<Syscall> list = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length < 2) {
                    throw new IllegalStateException(res + ":" + lineNo + ": expected nr<TAB>name<TAB>params");
                }
                int nr = Integer.parseInt(f[0].trim());
                List<Param> params = new ArrayList<>();
                if (f.length > 2 && !f[2].isBlank()) {
                    String[] ps = f[2].split(";");
                    for (int i = 0; i < ps.length; i++) {
                        String p = ps[i].trim();
                        int cut = Math.max(p.lastIndexOf(' '), p.lastIndexOf('*'));
                        String ctype = p.substring(0, cut + 1).trim();
                        String pname = p.substring(cut + 1).trim();
                        params.add(new Param(i, pname, ctype, Param.widthOf(ctype, arch)));
                    }
                }
                list.add(new Syscall(arch, nr, f[1].trim(), params));
            }
            return new SyscallTable(arch, list);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
