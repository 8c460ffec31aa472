package dev.syscage.run;

import dev.syscage.policy.complain.Complain;
import dev.syscage.policy.model.Policy;
import dev.syscage.supervise.session.ComplainJudge;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code run --complain}: the policy is run so that it denies nothing and every call it would
 * deny is recorded with that denial (docs/learn.md, "Complain mode"). The rewrites are the
 * policy module's ({@link Complain#prepare}, then {@link Complain#apply} after the run's own, stages of
 * {@link dev.syscage.policy.rewrite.RunRewrites});
 * this class holds what the run says about them: the warnings before, the supervisor's half
 * ({@link ComplainJudge}) during, and the count after.
 */
public final class ComplainRun {
    private final Complain.Prepared prepared;
    private ComplainJudge judge;

    private ComplainRun(Complain.Prepared prepared) {
        this.prepared = prepared;
    }

    /** A run of the policy complain mode prepared (no Landlock domain, no isolate: namespaces). */
    public static ComplainRun of(Complain.Prepared prepared) {
        return new ComplainRun(prepared);
    }

    /** What the run says before it starts: that nothing is denied, and what is not even checked. */
    public List<String> warnings(Path log) {
        List<String> out = new ArrayList<>();
        out.add("complain mode: nothing the policy denies is denied; each such call runs"
                + (log == null
                        ? " and is only counted (give --log FILE to record them)"
                        : " and is recorded in " + log + " with the decision it would have had"));
        if (!prepared.notChecked().isEmpty()) {
            out.add("complain mode: not applied and not checked (Landlock and namespaces can only enforce): "
                    + String.join(", ", prepared.notChecked()));
        }
        return out;
    }

    /**
     * The supervisor's half for a run of {@code enforced} (the policy an enforcing run would
     * install, before {@link Complain#apply}); the count is reported (unless {@code quiet}) when the returned report closes.
     */
    public Report supervise(SupervisedRun run, Policy enforced, PrintWriter err, boolean quiet) {
        judge = new ComplainJudge(enforced, prepared.ownRules());
        run.session().complaining(judge);
        return quiet
                ? Report.NONE
                : () -> {
                    long n = judge.complaints();
                    err.println("syscage: complain mode: " + n + (n == 1 ? " call" : " calls")
                            + " would have been denied by the policy"
                            + (run.logPath() == null ? "" : " (see " + run.logPath() + ")"));
                    err.flush();
                };
    }

    /** Says how many calls were complained about, once the run is over. */
    public interface Report extends AutoCloseable {
        Report NONE = () -> {};

        @Override
        void close();
    }
}
