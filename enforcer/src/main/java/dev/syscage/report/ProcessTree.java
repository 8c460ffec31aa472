package dev.syscage.report;

import dev.syscage.auditlog.CallRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run's processes as its records show them: each process (thread-group id) with its parent,
 * its name and executable (the last its records give), its threads, and how many of its calls
 * were recorded and denied. A process whose parent made no recorded call is a root.
 */
public final class ProcessTree {
    /** One process. {@code ppid} is -1 where unknown. */
    public static final class Process {
        private final int pid;
        private int ppid = -1;
        private String comm;
        private String exe;
        private final Set<Integer> threads = new LinkedHashSet<>();
        private long calls;
        private long denied;
        private final List<Process> children = new ArrayList<>();

        Process(int pid) {
            this.pid = pid;
        }

        public int pid() {
            return pid;
        }

        public int ppid() {
            return ppid;
        }

        public String comm() {
            return comm;
        }

        public String exe() {
            return exe;
        }

        public Set<Integer> threads() {
            return Set.copyOf(threads);
        }

        public long calls() {
            return calls;
        }

        public long denied() {
            return denied;
        }

        public List<Process> children() {
            return List.copyOf(children);
        }
    }

    private final Map<Integer, Process> byPid;
    private final List<Process> roots;

    private ProcessTree(Map<Integer, Process> byPid, List<Process> roots) {
        this.byPid = byPid;
        this.roots = roots;
    }

    /** The tree of the processes that made {@code calls} (a Landlock denial that names no process, pid -1, is left out). */
    public static ProcessTree of(List<CallRecord> calls) {
        Map<Integer, Process> byPid = new LinkedHashMap<>();
        for (CallRecord c : calls) {
            if (c.pid() <= 0) {
                continue;
            }
            Process p = byPid.computeIfAbsent(c.pid(), Process::new);
            p.ppid = c.ppid() > 0 ? c.ppid() : p.ppid;
            p.comm = c.comm() != null ? c.comm() : p.comm;
            p.exe = c.exe() != null ? c.exe() : p.exe;
            p.threads.add(c.tid());
            p.calls++;
            p.denied += c.denied() ? 1 : 0;
        }
        Map<Integer, Process> sorted = new TreeMap<>(byPid);
        List<Process> roots = new ArrayList<>();
        for (Process p : sorted.values()) {
            Process parent = p.ppid == p.pid ? null : byPid.get(p.ppid);
            if (parent == null || reaches(byPid, parent, p)) {
                roots.add(p);
            } else {
                parent.children.add(p);
            }
        }
        return new ProcessTree(byPid, roots);
    }

    /** Whether {@code p} is {@code from} or one of its ancestors: linking them would make a cycle (pids reused). */
    private static boolean reaches(Map<Integer, Process> byPid, Process from, Process p) {
        Set<Integer> seen = new java.util.HashSet<>();
        for (Process a = from; a != null && seen.add(a.pid); a = byPid.get(a.ppid)) {
            if (a == p) {
                return true;
            }
        }
        return false;
    }

    public List<Process> roots() {
        return List.copyOf(roots);
    }

    public int size() {
        return byPid.size();
    }
}
