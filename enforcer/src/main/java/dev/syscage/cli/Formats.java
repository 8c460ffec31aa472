package dev.syscage.cli;

import dev.syscage.policy.bpf.ProgramFormats;

/** Parses --format values with a helpful error. */
final class Formats {
    private Formats() {}

    static ProgramFormats parse(String s) {
        try {
            return ProgramFormats.byName(s);
        } catch (IllegalArgumentException e) {
            throw UserException.badInput("unknown format '" + s + "' (choose raw, disasm, c or json)");
        }
    }
}
