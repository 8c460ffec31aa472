package dev.syscage.policy.parse;

/** One token of a {@code when} expression; {@code value} is set for numbers only. */
record Token(Kind kind, String text, int offset, long value) {

    enum Kind {
        NAME,
        NUMBER,
        IN,
        LPAREN,
        RPAREN,
        LBRACE,
        RBRACE,
        COMMA,
        OROR,
        ANDAND,
        NOT,
        BITOR,
        BITAND,
        TILDE,
        EQ,
        NE,
        LT,
        LE,
        GT,
        GE,
        END
    }

    int end() {
        return offset + text.length();
    }

    boolean is(Kind k) {
        return kind == k;
    }

    boolean isRelop() {
        return switch (kind) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
    }

    /** How the token reads in an error message. */
    String show() {
        return kind == Kind.END ? "the end of the condition" : "'" + text + "'";
    }
}
