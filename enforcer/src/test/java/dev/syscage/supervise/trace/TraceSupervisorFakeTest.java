package dev.syscage.supervise.trace;

import static dev.syscage.nativeaccess.Ptrace.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.nativeaccess.ProcessVm;
import dev.syscage.nativeaccess.Ptrace;
import dev.syscage.supervise.Decision;
import dev.syscage.supervise.ProcTargetMemory;
import dev.syscage.supervise.SyscallEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TraceSupervisor's decision path without a kernel: a fake ptrace reports seccomp stops of the
 * calls given, and the requests the supervisor makes for each decision are checked (allow:
 * continue; errno: the call skipped with -errno as its return value; kill: skipped, SIGKILL to
 * the process, continued). The tracee is this JVM's own pid, so its process is found in /proc;
 * nothing is really traced or killed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TraceSupervisorFakeTest {
    private static final int ME = (int) ProcessHandle.current().pid();
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    private static final int SECCOMP_STOP = 0x7f | SIGTRAP << 8 | PTRACE_EVENT_SECCOMP << 16;

    /** Reports a seccomp stop per call given, then the tracee's exit, then no tracee (ECHILD). */
    private static final class FakePtrace implements Ptrace {
        final List<String> calls = new ArrayList<>();
        final Deque<Integer> nrs = new ArrayDeque<>();
        private final ByteBuffer info = ByteBuffer.allocate(SYSCALL_INFO_SIZE).order(ByteOrder.nativeOrder());
        private boolean exited;
        private int current;

        FakePtrace(Integer... nrs) {
            this.nrs.addAll(List.of(nrs));
        }

        @Override
        public long ptrace(int request, int pid, long addr, long data) {
            calls.add(
                    switch (request) {
                        case PTRACE_SEIZE -> "seize " + pid;
                        case PTRACE_CONT -> "cont " + pid + " " + data;
                        case PTRACE_POKEUSER ->
                            (addr == X86_64_ORIG_RAX ? "orig_rax " : addr == X86_64_RAX ? "rax " : "poke ") + data;
                        default -> "request " + request;
                    });
            return 0;
        }

        @Override
        public long getSyscallInfo(int tid) {
            for (int i = 0; i < info.capacity(); i++) {
                info.put(i, (byte) 0);
            }
            info.put(0, (byte) PTRACE_SYSCALL_INFO_SECCOMP);
            info.putInt(4, AUDIT_ARCH_X86_64);
            info.putLong(8, 0x401000); // instruction pointer
            info.putLong(24, current);
            info.putLong(32, 42); // arg0
            return SYSCALL_INFO_SIZE;
        }

        @Override
        public ByteBuffer syscallInfo() {
            return info;
        }

        @Override
        public int waitpid(int pid, int[] status, int options) {
            Integer nr = nrs.poll();
            if (nr != null) {
                current = nr;
                status[0] = SECCOMP_STOP;
                return ME;
            }
            if (!exited) {
                exited = true;
                status[0] = 0; // exited with 0
                return ME;
            }
            return -ECHILD;
        }

        @Override
        public int kill(int pid, int sig) {
            calls.add("kill " + pid + " " + sig);
            return 0;
        }

        @Override
        public int gettid() {
            return 1;
        }
    }

    /** A memory nobody should read here: every read fails. */
    private static final ProcessVm NO_MEMORY = new ProcessVm() {
        @Override
        public int process_vm_readv(int tid, long address, int length) {
            return -14; // EFAULT
        }

        @Override
        public ByteBuffer buffer() {
            return ByteBuffer.allocate(ProcessVm.MAX);
        }
    };

    private List<String> run(FakePtrace fake, List<SyscallEvent> seen) throws Exception {
        TraceSupervisor sup = new TraceSupervisor(
                (e, m) -> {
                    seen.add(e);
                    return switch (e.nr()) {
                        case 102 -> Decision.errno(1, "no uid");
                        case 104 -> Decision.kill("no gid");
                        default -> Decision.allow("fine");
                    };
                },
                () -> fake,
                new ProcTargetMemory(NO_MEMORY));
        Thread t = sup.start();
        sup.seize(ME);
        assertEquals(3L, sup.finished().get(10, TimeUnit.SECONDS));
        t.join(TimeUnit.SECONDS.toMillis(10));
        return fake.calls;
    }

    @Test
    void eachDecisionBecomesItsPtraceRequests() throws Exception {
        List<SyscallEvent> seen = new ArrayList<>();
        List<String> calls = run(new FakePtrace(39, 102, 104), seen);
        assertEquals(
                List.of(
                        "seize " + ME,
                        "cont " + ME + " 0", // getpid: allowed, it runs
                        "orig_rax -1",
                        "rax -1",
                        "cont " + ME + " 0", // getuid: skipped, returns -EPERM
                        "orig_rax -1",
                        "rax -38",
                        "kill " + ME + " 9",
                        "cont " + ME + " 0"), // getgid: skipped, killed
                calls);
        assertEquals(List.of(1L, 2L, 3L), seen.stream().map(SyscallEvent::seq).toList());
        assertEquals(List.of(39, 102, 104), seen.stream().map(SyscallEvent::nr).toList());
        SyscallEvent first = seen.get(0);
        assertEquals(ME, first.pid());
        assertEquals(ME, first.tid());
        assertEquals(42L, first.args()[0]);
        assertEquals(0x401000L, first.ip());
        assertEquals(SyscallEvent.Source.TRACE, first.source());
    }
}
