package dev.syscage.policy.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.policy.diag.PolicyException;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A policy too big for the kernel is an error that names the limit, not a filter the kernel refuses. */
class ProgramLimitTest {

    @Test
    void overLongProgramIsAnErrorNamingTheLimit() {
        StringBuilder yaml = new StringBuilder("version: 1\nname: huge\narch: x86_64\ndefault: errno EPERM\nrules:\n");
        // 14 syscalls × 300 values each, all different (equal chains would be shared)
        String[] calls = {
            "read",
            "write",
            "close",
            "fstat",
            "lseek",
            "dup",
            "dup2",
            "fsync",
            "fdatasync",
            "fchmod",
            "fchdir",
            "flock",
            "ftruncate",
            "fchown"
        };
        int next = 1000;
        for (String c : calls) {
            StringBuilder set = new StringBuilder();
            for (int v = 0; v < 300; v++) {
                set.append(v == 0 ? "" : ", ").append(next++);
            }
            yaml.append("  - action: allow\n    syscalls: [")
                    .append(c)
                    .append("]\n    when: \"arg0 in {")
                    .append(set)
                    .append("}\"\n");
        }
        Policy p = PolicyLoader.loadString("huge.yaml", yaml.toString(), new LoadOptions(List.of(), List.of()));
        PolicyException e =
                assertThrows(PolicyException.class, () -> PolicyCompiler.compile(p, CompileOptions.defaults()));
        assertEquals(1, e.diagnostics().size());
        String msg = e.render();
        assertEquals(
                "syscage: error: policy 'huge' compiles to " + msg.replaceAll("\\D*(\\d+) instructions.*", "$1")
                        + " instructions; the kernel accepts 4096 (split the policy, or use fewer argument conditions)",
                msg);
    }
}
