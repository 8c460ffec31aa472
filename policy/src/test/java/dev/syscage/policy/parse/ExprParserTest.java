package dev.syscage.policy.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code when} grammar: precedence, every operator, numbers, and where errors point. */
class ExprParserTest {

    /** The parse tree as an S-expression, so a test states the whole shape in one line. */
    static String show(Expr e) {
        if (e instanceof Expr.AnyOf o) {
            return "(or " + o.terms().stream().map(ExprParserTest::show).collect(Collectors.joining(" ")) + ")";
        } else if (e instanceof Expr.AllOf a) {
            return "(and " + a.terms().stream().map(ExprParserTest::show).collect(Collectors.joining(" ")) + ")";
        } else if (e instanceof Expr.Not n) {
            return "(not " + show(n.term()) + ")";
        } else if (e instanceof Expr.Compare c) {
            return "(" + c.op().symbol() + " " + show(c.left()) + " " + show(c.right()) + ")";
        } else if (e instanceof Expr.In in) {
            return "(in " + show(in.left()) + " "
                    + in.values().stream().map(ExprParserTest::show).collect(Collectors.joining(" ")) + ")";
        }
        return "(truth " + show(((Expr.Truth) e).term()) + ")";
    }

    static String show(Term t) {
        if (t instanceof Term.Num n) {
            return Long.toString(n.value());
        } else if (t instanceof Term.Name n) {
            return n.name();
        } else if (t instanceof Term.BitOr o) {
            return "[| " + o.terms().stream().map(ExprParserTest::show).collect(Collectors.joining(" ")) + "]";
        } else if (t instanceof Term.BitAnd a) {
            return "[& " + a.terms().stream().map(ExprParserTest::show).collect(Collectors.joining(" ")) + "]";
        } else if (t instanceof Term.Invert i) {
            return "[~ " + show(i.term()) + "]";
        }
        return "{" + show(((Term.Paren) t).inner()) + "}";
    }

    private static String parse(String text) {
        return show(ExprParser.parse(text));
    }

    @Test
    void andBindsTighterThanOr() {
        assertEquals("(or (== a 1) (and (== b 2) (== c 3)))", parse("a == 1 || b == 2 && c == 3"));
        assertEquals("(or (and (== a 1) (== b 2)) (== c 3))", parse("a == 1 && b == 2 || c == 3"));
    }

    @Test
    void parenthesesGroupConditions() {
        assertEquals("(and (or (== a 1) (== b 2)) (== c 3))", parse("(a == 1 || b == 2) && c == 3"));
    }

    @Test
    void notBindsTighterThanAndAndStacks() {
        assertEquals("(and (not (truth a)) (truth b))", parse("!a && b"));
        assertEquals("(not (not (truth a)))", parse("!!a"));
        assertEquals("(not (== a 1))", parse("!(a == 1)"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "x == 1; (== x 1)",
                "x != 1; (!= x 1)",
                "x < 1; (< x 1)",
                "x <= 1; (<= x 1)",
                "x > 1; (> x 1)",
                "x >= 1; (>= x 1)",
                "x in {1, A, 3}; (in x 1 A 3)",
                "x in {7}; (in x 7)",
                "x; (truth x)",
                "x & A; (truth [& x A])",
                "(x & M) == V; (== {[& x M]} V)",
                "(x & M) in {A, B}; (in {[& x M]} A B)",
                "x & M in {A}; (in [& x M] A)",
                "x == A | B | C; (== x [| A B C])",
                "x == ~A; (== x [~ A])",
                "x == ~~A; (== x [~ [~ A]])",
                "x == (A | B) & C; (== x [& {[| A B]} C])",
                "x == A | B & C; (== x [| A [& B C]])",
                "0 == x; (== 0 x)",
                "x&A&&y; (and (truth [& x A]) (truth y))",
                "x|A||y; (or (truth [| x A]) (truth y))",
            })
    void everyOperator(String text, String tree) {
        assertEquals(tree, parse(text));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = ';',
            value = {
                "x == 0x1F; (== x 31)",
                "x == 0X1f; (== x 31)",
                "x == 0755; (== x 493)",
                "x == 0; (== x 0)",
                "x == -1; (== x -1)",
                "x == -0x10; (== x -16)",
                "x == 18446744073709551615; (== x -1)",
                "x == 0xffffffffffffffff; (== x -1)",
                "x == -9223372036854775808; (== x -9223372036854775808)",
            })
    void numbers(String text, String tree) {
        assertEquals(tree, parse(text));
    }

    /** The message, and the offset it points at, shown as a caret under the text. */
    private static String error(String text) {
        ExprSyntaxError e = assertThrows(ExprSyntaxError.class, () -> ExprParser.parse(text));
        return text + "\n" + " ".repeat(e.offset()) + "^ " + e.getMessage();
    }

    @Test
    void unclosedParenthesisPointsAtTheOpeningOne() {
        assertEquals(
                "a == 1 && (b == 2\n          ^ this '(' is not closed (found the end of the condition where ')' should be)",
                error("a == 1 && (b == 2"));
        assertEquals(
                "x == (A | B\n     ^ this '(' is not closed (found the end of the condition where ')' should be)",
                error("x == (A | B"));
    }

    @Test
    void strayClosingParenthesis() {
        assertEquals("a == 1)\n      ^ ')' has no matching '('", error("a == 1)"));
    }

    @Test
    void maskComparedWithoutParenthesesIsRejectedWithTheFix() {
        assertEquals(
                "flags & O_ACCMODE == O_RDONLY\n      ^ '==' binds tighter than '&' in C; "
                        + "write '(flags & O_ACCMODE) == O_RDONLY'",
                error("flags & O_ACCMODE == O_RDONLY"));
        assertEquals("x&3!=0\n ^ '!=' binds tighter than '&' in C; write '(x&3) != 0'", error("x&3!=0"));
    }

    @Test
    void notBeforeAnUnparenthesisedComparisonIsRejected() {
        assertEquals(
                "!fd == 1\n^ '!' here negates the whole comparison, which is not how C reads it; write '!(fd == 1)'",
                error("!fd == 1"));
        assertEquals(
                "!(x & 3) == 0\n^ '!' here negates the whole comparison, which is not how C reads it; write '!((x & 3) == 0)'",
                error("!(x & 3) == 0"));
    }

    @Test
    void lexicalErrors() {
        assertEquals("x = 1\n  ^ '=' is not an operator; write '==' to compare", error("x = 1"));
        assertEquals("x == 1 # c\n       ^ unexpected character '#'", error("x == 1 # c"));
        assertEquals(
                "x == 09\n     ^ '09' is not a valid number (a leading 0 means octal, digits 0-7)", error("x == 09"));
        assertEquals("x == 0x\n     ^ '0x' is not a valid number (hex digits are 0-9 and a-f)", error("x == 0x"));
        assertEquals("x == 12ab\n     ^ '12ab' is not a valid number", error("x == 12ab"));
        assertEquals(
                "x == 18446744073709551616\n     ^ the number '18446744073709551616' does not fit in 64 bits",
                error("x == 18446744073709551616"));
        assertEquals(
                "x == -9223372036854775809\n     ^ the number '-9223372036854775809' does not fit in 64 bits",
                error("x == -9223372036854775809"));
    }

    @Test
    void grammarErrors() {
        assertEquals("\n^ the condition is empty", error(""));
        assertEquals(
                "x ==\n    ^ expected an argument, a constant or a number, got the end of the condition",
                error("x =="));
        assertEquals(
                "x == 1 ||\n         ^ expected an argument, a constant or a number, got the end of the condition",
                error("x == 1 ||"));
        assertEquals("x y\n  ^ expected '&&', '||' or the end, got 'y'", error("x y"));
        assertEquals("x in 1\n     ^ expected '{' after 'in' (as in: x in {1, 2}), got '1'", error("x in 1"));
        assertEquals("x in {}\n      ^ 'in' needs at least one value between '{' and '}'", error("x in {}"));
        assertEquals(
                "x in {1, 2\n     ^ this '{' is not closed (found the end of the condition where ',' or '}' should be)",
                error("x in {1, 2"));
        assertEquals("x == == 1\n     ^ expected an argument, a constant or a number, got '=='", error("x == == 1"));
        assertEquals("x == 1 == 2\n       ^ expected '&&', '||' or the end, got '=='", error("x == 1 == 2"));
    }

    @Test
    void offsetsPointIntoTheText() {
        Expr e = ExprParser.parse("  flags  ==  0x10 ");
        Expr.Compare c = (Expr.Compare) e;
        assertEquals(2, c.left().offset());
        assertEquals(9, c.offset());
        assertEquals(13, c.right().offset());
        assertEquals("0x10", ((Term.Num) c.right()).text());
    }
}
