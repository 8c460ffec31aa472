package dev.syscage.policy.isolate;

import dev.syscage.policy.diag.SourcePos;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A policy's {@code isolate:} section, merged over its includes and checked: the namespaces the
 * run gets beyond the PID and mount namespaces every contained run has, the paths mounted
 * read-only (recursively) in the run's mount namespace, the paths bound back read-write beneath
 * them, and what to do where they cannot be made. {@link #NONE} asks for nothing.
 *
 * <p>Paths are absolute and normalized (no "//", ".", ".." or trailing '/'), each listed once;
 * every writable path is beneath (or is) some read-only path, and no path is both. Where read-only
 * and writable paths nest, the deepest one decides for what is beneath it.
 *
 * @param namespaces the extra namespaces, in {@link Namespace} order
 * @param readOnly   the read-only paths, in the order written (the top file's first)
 * @param writable   the writable paths, in the order written
 * @param compat     what to do where they cannot be made
 * @param pos        where the section is written ({@code isolate:} of the first file that has one), or null
 */
public record Isolation(
        Set<Namespace> namespaces, List<String> readOnly, List<String> writable, Compat compat, SourcePos pos) {

    /** No isolation beyond what every contained run gets. */
    public static final Isolation NONE = new Isolation(Set.of(), List.of(), List.of(), Compat.REQUIRED, null);

    public Isolation {
        EnumSet<Namespace> ns = EnumSet.noneOf(Namespace.class);
        ns.addAll(namespaces);
        namespaces = Collections.unmodifiableSet(ns);
        readOnly = List.copyOf(readOnly);
        writable = List.copyOf(writable);
        Objects.requireNonNull(compat, "compat");
        List<String> all = new ArrayList<>(readOnly);
        all.addAll(writable);
        for (String p : all) {
            if (!isNormalizedAbsolute(p)) {
                throw new IllegalArgumentException("isolate path must be absolute and normalized: '" + p + "'");
            }
        }
        if (Set.copyOf(all).size() != all.size()) {
            throw new IllegalArgumentException("isolate path listed twice: " + all);
        }
        for (String w : writable) {
            if (readOnly.stream().noneMatch(r -> beneath(w, r))) {
                throw new IllegalArgumentException("writable path " + w + " is beneath no read-only path");
            }
        }
    }

    /** Without a position. */
    public Isolation(Set<Namespace> namespaces, List<String> readOnly, List<String> writable, Compat compat) {
        this(namespaces, readOnly, writable, compat, null);
    }

    /** Whether the section asks for nothing: no namespaces and no read-only paths. */
    public boolean isEmpty() {
        return namespaces.isEmpty() && readOnly.isEmpty();
    }

    /** This isolation without its mounts (what is left when a fallback carries them). */
    public Isolation withoutMounts() {
        return new Isolation(namespaces, List.of(), List.of(), compat, pos);
    }

    /**
     * Whether {@code path} is read-only under this isolation: the deepest read-only or writable
     * path it is beneath (or equal to) is a read-only one.
     */
    public boolean isReadOnly(String path) {
        String best = null;
        boolean ro = false;
        for (String r : readOnly) {
            if (beneath(path, r) && (best == null || r.length() > best.length())) {
                best = r;
                ro = true;
            }
        }
        for (String w : writable) {
            if (beneath(path, w) && (best == null || w.length() > best.length())) {
                best = w;
                ro = false;
            }
        }
        return ro;
    }

    /** A bind the launcher makes: {@code path} onto itself, read-only or (beneath a read-only one) read-write. */
    public record Mount(String path, boolean writable) {
        /** The number of components: 0 for "/". */
        public int depth() {
            return path.equals("/")
                    ? 0
                    : (int) path.chars().filter(c -> c == '/').count();
        }
    }

    /**
     * The binds in the order to make them: shallowest first (each in the order written), so a
     * deeper path is bound over the shallower ones it is beneath and the deepest decides for
     * what is beneath it, as {@link #isReadOnly} says.
     */
    public List<Mount> mounts() {
        List<Mount> out = new ArrayList<>();
        readOnly.forEach(p -> out.add(new Mount(p, false)));
        writable.forEach(p -> out.add(new Mount(p, true)));
        out.sort(java.util.Comparator.comparingInt(Mount::depth));
        return List.copyOf(out);
    }

    /** Whether {@code p} is {@code root} or beneath it. */
    public static boolean beneath(String p, String root) {
        return p.equals(root) || root.equals("/") || p.startsWith(root + "/");
    }

    private static boolean isNormalizedAbsolute(String p) {
        if (p.equals("/")) {
            return true;
        }
        if (!p.startsWith("/") || p.endsWith("/") || p.contains("//") || p.indexOf('\0') >= 0) {
            return false;
        }
        for (String c : p.substring(1).split("/")) {
            if (c.equals(".") || c.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** {@code namespaces: net, ipc; read-only: /; writable: /tmp; best-effort}, for people. */
    public String describe() {
        if (isEmpty()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        if (!namespaces.isEmpty()) {
            parts.add("namespaces: "
                    + String.join(", ", namespaces.stream().map(Namespace::word).toList()));
        }
        if (!readOnly.isEmpty()) {
            parts.add("read-only: " + String.join(", ", readOnly));
        }
        if (!writable.isEmpty()) {
            parts.add("writable: " + String.join(", ", writable));
        }
        parts.add(compat.word());
        return String.join("; ", parts);
    }
}
