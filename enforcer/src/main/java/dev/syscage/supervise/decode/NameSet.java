package dev.syscage.supervise.decode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The names of one argument's values on one architecture, so that {@code 0x80000} prints as
 * {@code O_CLOEXEC}. An enum maps a whole value to one name; a flag set splits a value into
 * bits ({@code O_CREAT|O_TRUNC}) after its fields (bit ranges holding an enum, such as the
 * access mode in {@code O_ACCMODE}), printing leftover bits in hex. Built once by
 * {@link NameSets}; formatting only allocates the result.
 */
final class NameSet {

    enum Type {
        ENUM,
        FLAGS
    }

    /** A named constant with the value it has on the set's architecture. */
    record Entry(String name, long value) {}

    /** Bits {@code mask} of a flag value hold one of {@code names} (values within the mask). */
    record Field(long mask, NameSet names) {}

    private final String id;
    private final Type type;
    private final List<Entry> entries;
    private final List<Field> fields;
    private final String zeroName;
    private final Map<Long, String> byValue;
    private final long[] matchValues;
    private final int[] matchToPrint;

    NameSet(String id, Type type, List<Entry> entries, List<Field> fields, String zeroName) {
        this.id = id;
        this.type = type;
        this.entries = List.copyOf(entries);
        this.fields = List.copyOf(fields);
        this.zeroName = zeroName;
        this.byValue = new HashMap<>();
        for (Entry e : this.entries) {
            byValue.put(e.value(), e.name());
        }
        // flags with more bits are tried first, so O_SYNC wins over its part O_DSYNC
        Integer[] order = new Integer[this.entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(
                order,
                (a, b) -> Long.bitCount(this.entries.get(b).value())
                        - Long.bitCount(this.entries.get(a).value()));
        matchValues = new long[order.length];
        matchToPrint = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            matchValues[i] = this.entries.get(order[i]).value();
            matchToPrint[i] = order[i];
        }
    }

    String id() {
        return id;
    }

    Type type() {
        return type;
    }

    List<Entry> entries() {
        return entries;
    }

    List<Field> fields() {
        return fields;
    }

    /** The name printed for a flag value of 0, or null (then 0 prints as {@code 0}). */
    String zeroName() {
        return zeroName;
    }

    /** The name of exactly this value, or null. */
    String name(long value) {
        return byValue.get(value);
    }

    boolean containsName(String name) {
        if (name.equals(zeroName)) {
            return true;
        }
        for (Entry e : entries) {
            if (e.name().equals(name)) {
                return true;
            }
        }
        for (Field f : fields) {
            if (f.names().containsName(name)) {
                return true;
            }
        }
        return false;
    }

    /** The value as text: the enum name or hex; for flags {@code NAME|NAME|0x...}. */
    String format(long value) {
        if (type == Type.ENUM) {
            String n = byValue.get(value);
            return n != null ? n : Text.hex(value);
        }
        return formatFlags(value);
    }

    private String formatFlags(long value) {
        StringBuilder sb = new StringBuilder();
        long rest = value;
        for (Field f : fields) {
            long v = rest & f.mask();
            rest &= ~f.mask();
            String n = f.names().name(v);
            if (n != null) {
                sb.append(n);
            } else if (v != 0) {
                sb.append(Text.hex(v));
            }
        }
        boolean[] chosen = null;
        for (int i = 0; i < matchValues.length && rest != 0; i++) {
            long m = matchValues[i];
            if ((rest & m) == m) {
                if (chosen == null) {
                    chosen = new boolean[matchValues.length];
                }
                chosen[matchToPrint[i]] = true;
                rest &= ~m;
            }
        }
        if (chosen != null) {
            for (int i = 0; i < chosen.length; i++) {
                if (chosen[i]) {
                    separate(sb).append(entries.get(i).name());
                }
            }
        }
        if (rest != 0) {
            separate(sb).append(Text.hex(rest));
        }
        if (sb.length() == 0) {
            return zeroName != null ? zeroName : "0";
        }
        return sb.toString();
    }

    private static StringBuilder separate(StringBuilder sb) {
        return sb.length() == 0 ? sb : sb.append('|');
    }

    @Override
    public String toString() {
        return type.name().toLowerCase(java.util.Locale.ROOT) + " set " + id;
    }
}
