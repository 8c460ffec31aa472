package dev.syscage.policy.parse;

import dev.syscage.policy.parse.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a {@code when} expression into tokens. Numbers are decimal, {@code 0x} hex or
 * {@code 0}-prefixed octal, with an optional leading {@code -}; they must fit in 64 bits (as
 * unsigned, or as a negative signed value).
 */
final class ExprLexer {
    private final String text;
    private int at;

    private ExprLexer(String text) {
        this.text = text;
    }

    static List<Token> tokens(String text) {
        ExprLexer lx = new ExprLexer(text);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = lx.next();
            out.add(t);
        } while (!t.is(Kind.END));
        return out;
    }

    private Token next() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        if (at >= text.length()) {
            return new Token(Kind.END, "", text.length(), 0);
        }
        char c = text.charAt(at);
        if (Character.isDigit(c) || (c == '-' && at + 1 < text.length() && Character.isDigit(text.charAt(at + 1)))) {
            return number();
        }
        if (Character.isLetter(c) || c == '_') {
            return name();
        }
        return operator(c);
    }

    private Token name() {
        int start = at;
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
            at++;
        }
        String word = text.substring(start, at);
        return new Token(word.equals("in") ? Kind.IN : Kind.NAME, word, start, 0);
    }

    private Token operator(char c) {
        String two = at + 1 < text.length() ? text.substring(at, at + 2) : "";
        Kind k2 = switch (two) {
            case "||" -> Kind.OROR;
            case "&&" -> Kind.ANDAND;
            case "==" -> Kind.EQ;
            case "!=" -> Kind.NE;
            case "<=" -> Kind.LE;
            case ">=" -> Kind.GE;
            default -> null;
        };
        if (k2 != null) {
            return take(k2, 2);
        }
        Kind k1 = switch (c) {
            case '(' -> Kind.LPAREN;
            case ')' -> Kind.RPAREN;
            case '{' -> Kind.LBRACE;
            case '}' -> Kind.RBRACE;
            case ',' -> Kind.COMMA;
            case '!' -> Kind.NOT;
            case '|' -> Kind.BITOR;
            case '&' -> Kind.BITAND;
            case '~' -> Kind.TILDE;
            case '<' -> Kind.LT;
            case '>' -> Kind.GT;
            default -> null;
        };
        if (k1 != null) {
            return take(k1, 1);
        }
        if (c == '=') {
            throw new ExprSyntaxError(at, "'=' is not an operator; write '==' to compare");
        }
        throw new ExprSyntaxError(at, "unexpected character '" + c + "'");
    }

    private Token take(Kind kind, int length) {
        Token t = new Token(kind, text.substring(at, at + length), at, 0);
        at += length;
        return t;
    }

    private Token number() {
        int start = at;
        if (text.charAt(at) == '-') {
            at++;
        }
        while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
            at++;
        }
        String word = text.substring(start, at);
        return new Token(Kind.NUMBER, word, start, parseNumber(word, start));
    }

    /** The value of a number as written; negative numbers are two's complement. */
    static long parseNumber(String word, int offset) {
        boolean negative = word.startsWith("-");
        String digits = negative ? word.substring(1) : word;
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        final int base = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> Character.digit(ch, base) >= 0)) {
            String why = radix == 16
                    ? " (hex digits are 0-9 and a-f)"
                    : radix == 8 ? " (a leading 0 means octal, digits 0-7)" : "";
            throw new ExprSyntaxError(offset, "'" + word + "' is not a valid number" + why);
        }
        long magnitude;
        try {
            magnitude = Long.parseUnsignedLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new ExprSyntaxError(offset, "the number '" + word + "' does not fit in 64 bits");
        }
        if (!negative) {
            return magnitude;
        }
        if (Long.compareUnsigned(magnitude, Long.MIN_VALUE) > 0) {
            throw new ExprSyntaxError(offset, "the number '" + word + "' does not fit in 64 bits");
        }
        return -magnitude;
    }
}
