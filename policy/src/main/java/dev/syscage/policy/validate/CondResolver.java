package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.arch.Constants;
import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import dev.syscage.policy.model.Cond;
import dev.syscage.policy.parse.Expr;
import dev.syscage.policy.parse.Expr.Relop;
import dev.syscage.policy.parse.Suggestions;
import dev.syscage.policy.parse.Term;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves a parsed condition for one syscall on one architecture: a name is an argument if
 * the syscall has a parameter of that name (or argN, or a man-page name, see
 * {@link ParamAliases}), else a constant of that architecture (or an errno name). Each test
 * must compare one argument, optionally masked, with a constant:
 *
 * <pre>
 * test    = operand [ relop value | "in" "{" value { "," value } "}" ]   (or value relop operand)
 * operand = ARG [ "&" value ] | "(" ARG "&" value ")"
 * value   = a term made of numbers and constants only
 * </pre>
 *
 * Values must fit the argument's width (as unsigned, or sign-extended when negative); masks
 * are cut to the width. Problems carry offsets into the condition text.
 */
final class CondResolver {

    /** One problem; {@code missingArg} is set when a lower-case name is no parameter of the syscall. */
    record Problem(int offset, String message, String missingArg) {}

    /** The condition, or null when there were problems. */
    record Resolved(Cond cond, List<Problem> problems) {}

    private record Operand(Param param, long mask, boolean masked) {}

    /** Thrown inside the resolver to abandon the current test after recording its problem. */
    private static final class Abandon extends RuntimeException {
        Abandon() {
            super(null, null, false, false);
        }
    }

    private final Syscall syscall;
    private final Constants constants;
    private final List<Problem> problems = new ArrayList<>();

    private CondResolver(Syscall syscall) {
        this.syscall = syscall;
        this.constants = Constants.of(syscall.arch());
    }

    static Resolved resolve(Expr e, Syscall syscall) {
        CondResolver r = new CondResolver(syscall);
        Cond c = r.expr(e);
        return new Resolved(r.problems.isEmpty() ? c : null, List.copyOf(r.problems));
    }

    /** {@code read(fd, buf, count)}. */
    static String signature(Syscall s) {
        List<String> names = new ArrayList<>();
        s.params().forEach(p -> names.add(p.name()));
        return s.name() + "(" + String.join(", ", names) + ")";
    }

    private Cond expr(Expr e) {
        if (e instanceof Expr.AnyOf o) {
            return new Cond.Or(o.terms().stream().map(this::expr).toList());
        } else if (e instanceof Expr.AllOf a) {
            return new Cond.And(a.terms().stream().map(this::expr).toList());
        } else if (e instanceof Expr.Not n) {
            return new Cond.Not(expr(n.term()));
        }
        try {
            if (e instanceof Expr.Compare c) {
                return compare(c);
            } else if (e instanceof Expr.In in) {
                return in(in);
            }
            return truth(((Expr.Truth) e).term());
        } catch (Abandon a) {
            return Cond.FALSE;
        }
    }

    private Cond truth(Term t) {
        checkNames(t);
        if (!hasArg(t)) {
            throw problem(
                    t.offset(),
                    "this tests no argument; a condition compares an argument of " + signature(syscall)
                            + " with a constant, as in 'flags == 0' or 'flags & O_CREAT'");
        }
        Operand o = operand(t);
        return o.masked()
                ? new Cond.Test(o.param().index(), o.param().width(), o.mask(), Cond.Op.ANY_BITS, 0)
                : new Cond.Test(o.param().index(), o.param().width(), -1L, Cond.Op.NE, 0);
    }

    private Cond compare(Expr.Compare c) {
        checkNames(c.left());
        checkNames(c.right());
        boolean l = hasArg(c.left());
        boolean r = hasArg(c.right());
        if (l && r) {
            throw problem(
                    c.right().offset(), "compares two arguments; seccomp can only compare an argument with a constant");
        }
        if (!l && !r) {
            throw problem(c.offset(), "compares two constants; one side must be an argument of " + signature(syscall));
        }
        Term operandTerm = l ? c.left() : c.right();
        Term valueTerm = l ? c.right() : c.left();
        if (!l && operandTerm instanceof Term.BitAnd and) {
            throw problem(
                    and.opOffset(),
                    "'" + c.op().symbol() + "' binds tighter than '&' in C; put the masked argument "
                            + "in parentheses");
        }
        Operand o = operand(operandTerm);
        return test(o, l ? c.op() : c.op().flip(), valueTerm);
    }

    private Cond in(Expr.In in) {
        checkNames(in.left());
        in.values().forEach(this::checkNames);
        if (!hasArg(in.left())) {
            throw problem(in.left().offset(), "the left side of 'in' must be an argument of " + signature(syscall));
        }
        Operand o = operand(in.left());
        List<Cond> tests = new ArrayList<>();
        for (Term v : in.values()) {
            if (hasArg(v)) {
                throw problem(
                        v.offset(), "compares two arguments; seccomp can only compare an argument with a constant");
            }
            tests.add(test(o, Relop.EQ, v));
        }
        return tests.size() == 1 ? tests.get(0) : new Cond.Or(tests);
    }

    private Cond test(Operand o, Relop op, Term valueTerm) {
        long v = value(valueTerm);
        int width = o.param().width();
        if (!fits(v, width)) {
            throw problem(
                    valueTerm.offset(),
                    "value " + show(valueTerm, v) + " does not fit in " + width
                            + " bits, the width of '" + o.param().name() + "' ("
                            + o.param().ctype() + ") of " + syscall.name()
                            + (v < 0 ? "; a negative value must be at least -" + (1L << (width - 1)) : ""));
        }
        return new Cond.Test(o.param().index(), width, o.mask(), op(op), v);
    }

    /** Fits as an unsigned number, or as a negative number sign-extended from {@code width} bits. */
    static boolean fits(long v, int width) {
        return width >= 64 || (v >>> width) == 0 || (v >> (width - 1)) == -1L;
    }

    private static String show(Term t, long v) {
        return t instanceof Term.Num n ? n.text() : "0x" + Long.toHexString(v);
    }

    private Operand operand(Term t) {
        Term x = Term.strip(t);
        if (x instanceof Term.Name n) {
            return new Operand(ParamAliases.param(syscall, n.name()).orElseThrow(), -1L, false);
        }
        if (x instanceof Term.BitAnd and) {
            List<Term> args = and.terms().stream()
                    .filter(s -> Term.strip(s) instanceof Term.Name n && isArg(n))
                    .toList();
            List<Term> rest =
                    and.terms().stream().filter(s -> !args.contains(s)).toList();
            if (args.size() == 1 && rest.stream().noneMatch(this::hasArg)) {
                long mask = -1L;
                for (Term m : rest) {
                    mask &= value(m);
                }
                Term.Name arg = (Term.Name) Term.strip(args.get(0));
                return new Operand(ParamAliases.param(syscall, arg.name()).orElseThrow(), mask, true);
            }
        }
        throw problem(
                t.offset(),
                "an argument can only be used as it is or masked with a constant, "
                        + "as in 'flags' or '(flags & O_ACCMODE)'");
    }

    private long value(Term t) {
        if (t instanceof Term.Num n) {
            return n.value();
        } else if (t instanceof Term.Name n) {
            return constant(n.name()).orElseThrow();
        } else if (t instanceof Term.BitOr o) {
            long v = 0;
            for (Term x : o.terms()) {
                v |= value(x);
            }
            return v;
        } else if (t instanceof Term.BitAnd a) {
            long v = -1L;
            for (Term x : a.terms()) {
                v &= value(x);
            }
            return v;
        } else if (t instanceof Term.Invert i) {
            return ~value(i.term());
        }
        return value(((Term.Paren) t).inner());
    }

    private boolean hasArg(Term t) {
        if (t instanceof Term.Name n) {
            return isArg(n);
        } else if (t instanceof Term.BitOr o) {
            return o.terms().stream().anyMatch(this::hasArg);
        } else if (t instanceof Term.BitAnd a) {
            return a.terms().stream().anyMatch(this::hasArg);
        } else if (t instanceof Term.Invert i) {
            return hasArg(i.term());
        } else if (t instanceof Term.Paren p) {
            return hasArg(p.inner());
        }
        return false;
    }

    private boolean isArg(Term.Name n) {
        return ParamAliases.param(syscall, n.name()).isPresent();
    }

    private OptionalLong constant(String name) {
        OptionalLong v = constants.value(name);
        return v.isPresent() ? v : Constants.errno(name);
    }

    /** Records every name of the term that is neither an argument nor a constant, then abandons the test. */
    private void checkNames(Term t) {
        List<Term.Name> names = new ArrayList<>();
        collectNames(t, names);
        int before = problems.size();
        for (Term.Name n : names) {
            if (!isArg(n) && constant(n.name()).isEmpty()) {
                problems.add(unknownName(n));
            }
        }
        if (problems.size() > before) {
            throw new Abandon();
        }
    }

    private Problem unknownName(Term.Name n) {
        String name = n.name();
        if (name.chars().noneMatch(Character::isUpperCase)) {
            return new Problem(n.offset(), null, name);
        }
        for (Arch other : Arch.values()) {
            if (Constants.of(other).value(name).isPresent()) {
                return new Problem(n.offset(), "constant '" + name + "' is not defined on " + syscall.arch(), null);
            }
        }
        Set<String> candidates = new TreeSet<>(constants.names());
        candidates.addAll(Constants.errnoNames());
        return new Problem(n.offset(), "unknown constant '" + name + "'" + Suggestions.hint(name, candidates), null);
    }

    private static void collectNames(Term t, List<Term.Name> out) {
        if (t instanceof Term.Name n) {
            out.add(n);
        } else if (t instanceof Term.BitOr o) {
            o.terms().forEach(x -> collectNames(x, out));
        } else if (t instanceof Term.BitAnd a) {
            a.terms().forEach(x -> collectNames(x, out));
        } else if (t instanceof Term.Invert i) {
            collectNames(i.term(), out);
        } else if (t instanceof Term.Paren p) {
            collectNames(p.inner(), out);
        }
    }

    private Abandon problem(int offset, String message) {
        problems.add(new Problem(offset, message, null));
        return new Abandon();
    }

    private static Cond.Op op(Relop r) {
        return switch (r) {
            case EQ -> Cond.Op.EQ;
            case NE -> Cond.Op.NE;
            case LT -> Cond.Op.LT;
            case LE -> Cond.Op.LE;
            case GT -> Cond.Op.GT;
            case GE -> Cond.Op.GE;
        };
    }
}
