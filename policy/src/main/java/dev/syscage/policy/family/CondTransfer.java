package dev.syscage.policy.family;

import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Cond;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Moves a resolved condition from one syscall to a sibling by parameter name: {@code flags} is
 * argument 2 of openat and argument 1 of open, so {@code (flags & O_ACCMODE) != O_RDONLY} on
 * openat becomes the same test on open's argument 1. Conditions are resolved per syscall (names
 * are already indices), so each test's index is named through {@code from}'s prototype and looked
 * up in {@code to}'s. A test on a parameter {@code to} lacks, or has with another width (i386's
 * 16-bit {@code lchown} user against {@code fchownat}'s 32-bit one), cannot move: the result names
 * the missing parameters instead.
 */
public final class CondTransfer {

    /** The moved condition, or (when {@code missing} is not empty) null. */
    public record Result(Cond cond, Set<String> missing) {
        public Result {
            missing = Set.copyOf(missing);
        }

        public boolean moved() {
            return missing.isEmpty();
        }
    }

    private CondTransfer() {}

    public static Result transfer(Cond c, Syscall from, Syscall to) {
        Set<String> missing = new TreeSet<>();
        Cond out = move(c, from, to, missing);
        return new Result(missing.isEmpty() ? out : null, missing);
    }

    private static Cond move(Cond c, Syscall from, Syscall to, Set<String> missing) {
        if (c instanceof Cond.Const) {
            return c;
        } else if (c instanceof Cond.Not n) {
            return new Cond.Not(move(n.term(), from, to, missing));
        } else if (c instanceof Cond.And a) {
            return new Cond.And(moveAll(a.terms(), from, to, missing));
        } else if (c instanceof Cond.Or o) {
            return new Cond.Or(moveAll(o.terms(), from, to, missing));
        }
        Cond.Test t = (Cond.Test) c;
        String name =
                t.arg() < from.params().size() ? from.params().get(t.arg()).name() : "arg" + t.arg();
        Optional<Param> target =
                to.params().stream().filter(p -> p.name().equals(name)).findFirst();
        if (target.isEmpty() || target.get().width() != t.width()) {
            missing.add(name);
            return c;
        }
        return new Cond.Test(target.get().index(), t.width(), t.mask(), t.op(), t.value());
    }

    private static List<Cond> moveAll(List<Cond> terms, Syscall from, Syscall to, Set<String> missing) {
        List<Cond> out = new ArrayList<>();
        terms.forEach(t -> out.add(move(t, from, to, missing)));
        return out;
    }
}
