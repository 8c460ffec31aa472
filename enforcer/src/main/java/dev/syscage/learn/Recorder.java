package dev.syscage.learn;

import dev.syscage.policy.arch.Arch;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The hook of a learn run: decides nothing (the session's fallback allows every call) and
 * counts what it sees, for every thread and child the supervisor follows, and hands each call to
 * an {@link FsRecorder} for the file-system footprint. It is told of a call before the call runs
 * (the supervisor answers after its hooks), so the file system still shows what the call will
 * find. The launcher installs the filter just before it execs the program, so the calls before
 * the first execve (PR_GET_SECCOMP's check) are the launcher's and are only counted apart. Runs
 * on the supervisor thread; read {@link #observations()} after the supervisor has finished.
 */
public final class Recorder implements SyscallHook {
    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, SortedSet<Long>> argValues = new TreeMap<>();
    private final Set<String> paths = new HashSet<>();
    private final FsRecorder fs = new FsRecorder();
    private boolean programStarted;
    private long launcherCalls;
    private long unreadablePaths;

    @Override
    public String name() {
        return "learn";
    }

    @Override
    public boolean mayDecideOnPath(Arch arch, int nr) {
        return false; // decides nothing
    }

    /** What a call finds (a file that exists or not yet) is looked at before it runs. */
    @Override
    public boolean observesBeforeAnswer() {
        return true;
    }

    @Override
    public void onDecided(SyscallContext call, Decision decision, long latencyNanos) {
        String name = call.name();
        if (!programStarted && !name.equals("execve")) {
            launcherCalls++;
            return;
        }
        programStarted = true;
        counts.merge(name, 1L, Long::sum);
        ArgRule.forSyscall(name)
                .ifPresent(r -> argValues
                        .computeIfAbsent(name, k -> new TreeSet<>())
                        .add(r.value(call.event().args())));
        try {
            call.decoded().resolvedPath().ifPresent(paths::add);
            fs.record(call);
        } catch (RuntimeException e) {
            unreadablePaths++; // a path we cannot read changes no decision here; it is only not counted (or recorded)
        }
    }

    public Observations observations() {
        return new Observations(
                new TreeMap<>(counts), new HashMap<>(argValues), paths.size(), launcherCalls, fs.footprint());
    }

    /** Paths that could not be decoded (the process died mid-call, ...). */
    public long unreadablePaths() {
        return unreadablePaths;
    }
}
