package dev.syscage.policy.parse;

import dev.syscage.policy.input.InputLimits;
import dev.syscage.policy.parse.Expr.Relop;
import dev.syscage.policy.parse.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for {@code when} conditions. It knows nothing about syscalls: a
 * name may be an argument or a constant, which only the syscall can tell, so the operand and
 * value rules of the language grammar (one side an argument, optionally masked; the other a
 * constant) are checked when the validator resolves the expression. The grammar as parsed:
 *
 * <pre>
 * expr    = and { "||" and }
 * and     = unary { "&&" unary }
 * unary   = "!" unary | atom
 * atom    = "(" expr ")" | test          -- "(" term ")" followed by an operator continues as a test
 * test    = term [ relop term | "in" "{" term { "," term } "}" ]
 * relop   = "==" | "!=" | "<" | "<=" | ">" | ">="
 * term    = bitand { "|" bitand }
 * bitand  = bitnot { "&" bitnot }
 * bitnot  = "~" bitnot | NUMBER | NAME | "(" term ")"
 * </pre>
 *
 * Two spellings that C reads differently from what they look like are rejected with the
 * parenthesised form to write instead: {@code x & M == V} (C: {@code x & (M == V)}) and
 * {@code !x == V} (C: {@code (!x) == V}).
 */
public final class ExprParser {
    private final String text;
    private final List<Token> tokens;
    private int at;
    /** Open parentheses, '!' and '~' around the current token (at most {@link InputLimits#MAX_CONDITION_DEPTH}). */
    private int depth;

    private ExprParser(String text) {
        this.text = text;
        this.tokens = ExprLexer.tokens(text);
    }

    /** Parses a whole condition; throws {@link ExprSyntaxError} at the first problem. */
    public static Expr parse(String text) {
        if (text.length() > InputLimits.MAX_CONDITION_LENGTH) {
            throw new ExprSyntaxError(
                    InputLimits.MAX_CONDITION_LENGTH,
                    "the condition is longer than " + InputLimits.MAX_CONDITION_LENGTH
                            + " characters, the length limit for a condition");
        }
        ExprParser p = new ExprParser(text);
        if (p.peek().is(Kind.END)) {
            throw new ExprSyntaxError(0, "the condition is empty");
        }
        Expr e = p.expr();
        Token extra = p.peek();
        if (!extra.is(Kind.END)) {
            throw new ExprSyntaxError(
                    extra.offset(),
                    extra.is(Kind.RPAREN)
                            ? "')' has no matching '('"
                            : "expected '&&', '||' or the end, got " + extra.show());
        }
        return e;
    }

    private Expr expr() {
        int start = peek().offset();
        List<Expr> terms = new ArrayList<>(List.of(and()));
        while (accept(Kind.OROR)) {
            terms.add(and());
        }
        return terms.size() == 1 ? terms.get(0) : new Expr.AnyOf(terms, start);
    }

    private Expr and() {
        int start = peek().offset();
        List<Expr> terms = new ArrayList<>(List.of(unary()));
        while (accept(Kind.ANDAND)) {
            terms.add(unary());
        }
        return terms.size() == 1 ? terms.get(0) : new Expr.AllOf(terms, start);
    }

    private Expr unary() {
        if (!peek().is(Kind.NOT)) {
            return atom().expr();
        }
        Token not = next();
        enter(not);
        try {
            return not(not);
        } finally {
            depth--;
        }
    }

    private Expr not(Token not) {
        if (peek().is(Kind.NOT)) {
            return new Expr.Not(unary(), not.offset());
        }
        Atom a = atom();
        if (!a.closed() && (a.expr() instanceof Expr.Compare || a.expr() instanceof Expr.In)) {
            String inner =
                    text.substring(offsetOfToken(a.start()), previous().end()).strip();
            throw new ExprSyntaxError(
                    not.offset(),
                    "'!' here negates the whole comparison, which is not how C reads it; " + "write '!(" + inner
                            + ")'");
        }
        return new Expr.Not(a.expr(), not.offset());
    }

    /** An atom, whether it was a complete parenthesised expression, and where it began. */
    private record Atom(Expr expr, boolean closed, int start) {}

    private Atom atom() {
        int start = at;
        if (!peek().is(Kind.LPAREN)) {
            return new Atom(test(null, peek().offset()), false, start);
        }
        Token open = next();
        enter(open);
        Expr inner = expr();
        depth--;
        if (!accept(Kind.RPAREN)) {
            throw notClosed(open, "')'");
        }
        if (inner instanceof Expr.Truth t && continuesTest(peek())) {
            return new Atom(test(new Term.Paren(t.term(), open.offset()), open.offset()), false, start);
        }
        return new Atom(inner, true, start);
    }

    private static boolean continuesTest(Token t) {
        return t.isRelop() || t.is(Kind.IN) || t.is(Kind.BITAND) || t.is(Kind.BITOR);
    }

    /** A test whose first term may already be parsed ({@code seed}, a parenthesised term). */
    private Expr test(Term seed, int start) {
        Term left = term(seed);
        Token op = peek();
        if (op.is(Kind.IN)) {
            next();
            return new Expr.In(left, valueSet(), op.offset());
        }
        if (!op.isRelop()) {
            return new Expr.Truth(left);
        }
        next();
        Term right = term(null);
        if (left instanceof Term.BitAnd and) {
            String l = text.substring(start, op.offset()).strip();
            String r = text.substring(op.end(), peek().offset()).strip();
            throw new ExprSyntaxError(
                    and.opOffset(),
                    "'" + op.text() + "' binds tighter than '&' in C; " + "write '(" + l + ") " + op.text() + " " + r
                            + "'");
        }
        return new Expr.Compare(left, relop(op), right, op.offset());
    }

    private List<Term> valueSet() {
        Token open = peek();
        expect(Kind.LBRACE, "'{' after 'in' (as in: x in {1, 2})");
        List<Term> values = new ArrayList<>();
        if (peek().is(Kind.RBRACE)) {
            throw new ExprSyntaxError(peek().offset(), "'in' needs at least one value between '{' and '}'");
        }
        do {
            values.add(term(null));
        } while (accept(Kind.COMMA));
        if (!accept(Kind.RBRACE)) {
            throw notClosed(open, "',' or '}'");
        }
        return values;
    }

    private Term term(Term seed) {
        Term first = bitand(seed);
        if (!peek().is(Kind.BITOR)) {
            return first;
        }
        List<Term> terms = new ArrayList<>(List.of(first));
        while (accept(Kind.BITOR)) {
            terms.add(bitand(null));
        }
        return new Term.BitOr(terms, first.offset());
    }

    private Term bitand(Term seed) {
        Term first = seed != null ? seed : bitnot();
        if (!peek().is(Kind.BITAND)) {
            return first;
        }
        int opOffset = peek().offset();
        List<Term> terms = new ArrayList<>(List.of(first));
        while (accept(Kind.BITAND)) {
            terms.add(bitnot());
        }
        return new Term.BitAnd(terms, first.offset(), opOffset);
    }

    private Term bitnot() {
        Token t = next();
        if (t.is(Kind.TILDE) || t.is(Kind.LPAREN)) {
            enter(t);
            try {
                return nested(t);
            } finally {
                depth--;
            }
        }
        return switch (t.kind()) {
            case NUMBER -> new Term.Num(t.value(), t.text(), t.offset());
            case NAME -> new Term.Name(t.text(), t.offset());
            default ->
                throw new ExprSyntaxError(t.offset(), "expected an argument, a constant or a number, got " + t.show());
        };
    }

    /** {@code ~ bitnot} or {@code ( term )}, after {@code t}. */
    private Term nested(Token t) {
        if (t.is(Kind.TILDE)) {
            return new Term.Invert(bitnot(), t.offset());
        }
        Term inner = term(null);
        if (!accept(Kind.RPAREN)) {
            throw notClosed(t, "')'");
        }
        return new Term.Paren(inner, t.offset());
    }

    /** One level deeper at {@code t}; past the limit, an error there. */
    private void enter(Token t) {
        if (++depth > InputLimits.MAX_CONDITION_DEPTH) {
            throw new ExprSyntaxError(
                    t.offset(),
                    "the condition nests deeper than " + InputLimits.MAX_CONDITION_DEPTH
                            + " here (parentheses, '!' and '~'), the nesting limit for conditions");
        }
    }

    private ExprSyntaxError notClosed(Token open, String expected) {
        return new ExprSyntaxError(
                open.offset(),
                "this '" + open.text() + "' is not closed (found " + peek().show() + " where " + expected
                        + " should be)");
    }

    private static Relop relop(Token t) {
        return switch (t.kind()) {
            case EQ -> Relop.EQ;
            case NE -> Relop.NE;
            case LT -> Relop.LT;
            case LE -> Relop.LE;
            case GT -> Relop.GT;
            default -> Relop.GE;
        };
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token previous() {
        return tokens.get(at - 1);
    }

    private int offsetOfToken(int index) {
        return tokens.get(index).offset();
    }

    private Token next() {
        Token t = tokens.get(at);
        if (!t.is(Kind.END)) {
            at++;
        }
        return t;
    }

    private boolean accept(Kind k) {
        if (peek().is(k)) {
            next();
            return true;
        }
        return false;
    }

    private void expect(Kind k, String what) {
        if (!accept(k)) {
            throw new ExprSyntaxError(peek().offset(), "expected " + what + ", got " + peek().show());
        }
    }
}
