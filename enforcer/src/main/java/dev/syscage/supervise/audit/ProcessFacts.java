package dev.syscage.supervise.audit;

import dev.syscage.supervise.TargetMemory;

/**
 * What /proc says about the calling thread's process, for the audit record: its comm (the
 * thread's), exe, parent pid and real uid. Strings are null and numbers -1 where unknown.
 */
public record ProcessFacts(String comm, String exe, int ppid, int uid) {

    /** Reads all four now (several /proc reads: tens of microseconds). */
    public static ProcessFacts read(TargetMemory m) {
        return new ProcessFacts(m.comm().orElse(null), m.exe().orElse(null), m.ppid(), m.uid());
    }
}
