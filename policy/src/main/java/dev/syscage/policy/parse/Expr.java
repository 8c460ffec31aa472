package dev.syscage.policy.parse;

import java.util.List;

/**
 * A parsed {@code when} condition, before resolution: the boolean structure, with
 * {@link Term}s at the leaves. {@code offset} points into the expression text (for a
 * comparison, at its operator).
 */
public sealed interface Expr permits Expr.AnyOf, Expr.AllOf, Expr.Not, Expr.Compare, Expr.In, Expr.Truth {

    int offset();

    /** {@code a || b || ...} */
    record AnyOf(List<Expr> terms, int offset) implements Expr {
        public AnyOf {
            terms = List.copyOf(terms);
        }
    }

    /** {@code a && b && ...} */
    record AllOf(List<Expr> terms, int offset) implements Expr {
        public AllOf {
            terms = List.copyOf(terms);
        }
    }

    record Not(Expr term, int offset) implements Expr {}

    record Compare(Term left, Relop op, Term right, int offset) implements Expr {}

    /** {@code left in {v1, v2, ...}}; offset is that of {@code in}. */
    record In(Term left, List<Term> values, int offset) implements Expr {
        public In {
            values = List.copyOf(values);
        }
    }

    /** A term alone, tested for being non-zero: {@code flags}, {@code flags & O_CREAT}. */
    record Truth(Term term) implements Expr {
        @Override
        public int offset() {
            return term.offset();
        }
    }

    enum Relop {
        EQ("=="),
        NE("!="),
        LT("<"),
        LE("<="),
        GT(">"),
        GE(">=");

        private final String symbol;

        Relop(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }

        /** The operator with its operands swapped: {@code 0 < x} is {@code x > 0}. */
        public Relop flip() {
            return switch (this) {
                case EQ, NE -> this;
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
            };
        }
    }
}
