package dev.syscage.policy.parse;

import java.util.List;

/**
 * A bit-level operand in a {@code when} expression, before names are resolved: numbers,
 * names (argument or constant: only the syscall can tell), {@code |}, {@code &}, {@code ~} and
 * parentheses. Parentheses are kept so the validator can insist on {@code (x & M) == V}.
 * {@code offset} is the index of the term's first character in the expression text.
 */
public sealed interface Term permits Term.Num, Term.Name, Term.BitOr, Term.BitAnd, Term.Invert, Term.Paren {

    int offset();

    record Num(long value, String text, int offset) implements Term {}

    record Name(String name, int offset) implements Term {}

    record BitOr(List<Term> terms, int offset) implements Term {
        public BitOr {
            terms = List.copyOf(terms);
        }
    }

    /** {@code opOffset} is where the first {@code &} is, for diagnostics about it. */
    record BitAnd(List<Term> terms, int offset, int opOffset) implements Term {
        public BitAnd {
            terms = List.copyOf(terms);
        }
    }

    record Invert(Term term, int offset) implements Term {}

    record Paren(Term inner, int offset) implements Term {}

    /** The term without any parentheses around it. */
    static Term strip(Term t) {
        Term x = t;
        while (x instanceof Paren p) {
            x = p.inner();
        }
        return x;
    }
}
