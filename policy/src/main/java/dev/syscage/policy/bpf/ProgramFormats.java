package dev.syscage.policy.bpf;

import java.util.List;
import java.util.Locale;

/**
 * The ways a compiled program can be written out: raw bytes for the kernel and the launcher,
 * disassembly for people, a C array for C programs, JSON for tools.
 */
public enum ProgramFormats {
    RAW,
    DISASM,
    C,
    JSON;

    public static ProgramFormats byName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** A C initializer usable as {@code struct sock_filter name[]}. */
    public static String toC(Program p, String name, String comment) {
        StringBuilder sb = new StringBuilder();
        sb.append("/* ").append(comment).append(" */\n");
        sb.append("#include <linux/filter.h>\n\n");
        sb.append("static const struct sock_filter ").append(name).append("[] = {\n");
        for (Insn i : p.insns()) {
            sb.append(String.format("\t{ 0x%02x, %d, %d, 0x%08x },%n", i.code(), i.jt(), i.jf(), i.k()));
        }
        sb.append("};\n");
        sb.append("#define ")
                .append(name.toUpperCase(Locale.ROOT))
                .append("_LEN ")
                .append(p.length())
                .append('\n');
        return sb.toString();
    }

    /** {@code {"length": N, "instructions": [{"code":..,"jt":..,"jf":..,"k":..}, ...]}}. */
    public static String toJson(Program p, String name) {
        return toJson(p, name, List.of());
    }

    /**
     * As {@link #toJson(Program, String)}, with more members after {@code instructions}, each
     * written {@code "key": value} (a value's later lines indented by two spaces).
     */
    public static String toJson(Program p, String name, List<String> members) {
        StringBuilder sb = new StringBuilder("{\n  \"name\": ")
                .append(quote(name))
                .append(",\n  \"length\": ")
                .append(p.length())
                .append(",\n  \"instructions\": [\n");
        for (int pc = 0; pc < p.length(); pc++) {
            Insn i = p.get(pc);
            sb.append(String.format(
                    "    {\"code\": %d, \"jt\": %d, \"jf\": %d, \"k\": %d}%s%n",
                    i.code(), i.jt(), i.jf(), i.k() & 0xFFFFFFFFL, pc + 1 < p.length() ? "," : ""));
        }
        sb.append("  ]");
        for (String m : members) {
            sb.append(",\n  ").append(m);
        }
        return sb.append("\n}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
