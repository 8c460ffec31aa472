package dev.syscage.policy.parse;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.SourcePos;
import dev.syscage.policy.diag.SourceText;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns a YAML scanner/parser exception into one diagnostic. The scanner's messages name its
 * internal tokens ({@code <block end>}, {@code '?'}) and repeat the source with their own caret;
 * this keeps the position and says the same thing in a policy author's words.
 */
final class YamlSyntaxError {
    private static final Map<String, String> TOKENS = new LinkedHashMap<>();

    static {
        TOKENS.put("'?'", "a new key");
        TOKENS.put("'-'", "a '-' list item");
        TOKENS.put("<block end>", "the end of the indented block");
        TOKENS.put("<stream end>", "the end of the file");
        TOKENS.put("<block mapping start>", "the start of a map");
        TOKENS.put("<block sequence start>", "the start of a list");
        TOKENS.put("'<scalar>'", "a value");
        TOKENS.put("<scalar>", "a value");
        TOKENS.put("but got :", "but found ':'");
    }

    private YamlSyntaxError() {}

    static Diagnostic of(SourceText source, String text, JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            return fromMarked(source, text, m);
        }
        JsonLocation l = e.getLocation();
        SourcePos pos =
                l == null ? source.pos(1, 1) : source.pos(Math.max(l.getLineNr(), 1), Math.max(l.getColumnNr(), 1));
        String msg = e.getOriginalMessage();
        if (msg.startsWith("Expected a field name")) {
            return Diagnostic.error(pos, "YAML syntax error: a key must be a plain name, not a list or a map");
        }
        int nl = msg.indexOf('\n');
        return Diagnostic.error(pos, "YAML syntax error: " + (nl < 0 ? msg : msg.substring(0, nl)));
    }

    private static Diagnostic fromMarked(SourceText source, String text, MarkedYAMLException m) {
        Mark problem = m.getProblemMark();
        Mark context = m.getContextMark();
        long lines = text.lines().count();
        String problemText = m.getProblem() == null ? "invalid YAML" : m.getProblem();
        String message = "YAML syntax error: " + plain(problemText);
        // At the end of the file there is no line to show; the opening bracket or quote helps more.
        if (problem.getLine() + 1 > lines && context != null) {
            String what = plainContext(m.getContext());
            return Diagnostic.error(at(source, context), message + " (" + what + " that starts here is not closed)");
        }
        if (context != null && m.getContext() != null) {
            message += " (in " + plainContext(m.getContext()) + " that starts at line " + (context.getLine() + 1) + ")";
        }
        return Diagnostic.error(at(source, problem), message);
    }

    private static SourcePos at(SourceText source, Mark mark) {
        return source.pos(mark.getLine() + 1, mark.getColumn() + 1);
    }

    static String plain(String problem) {
        if (problem.startsWith("found character '\\t(TAB)'")) {
            return "a tab cannot indent YAML; use spaces";
        }
        if (problem.startsWith("found character '@'")) {
            return "'@' cannot start a plain YAML value; quote group references: \"@name\"";
        }
        if (problem.startsWith("found character") && problem.contains("cannot start any token")) {
            int end = problem.indexOf("' that");
            String ch = end > 0 ? problem.substring("found character ".length(), end + 1) : "this character";
            return ch + " cannot start a plain YAML value; put the value in quotes";
        }
        if (problem.equals("mapping values are not allowed here")) {
            return "':' is not allowed here (check the indentation, or quote a value that contains ': ')";
        }
        String s = problem;
        for (Map.Entry<String, String> e : TOKENS.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }

    private static String plainContext(String context) {
        if (context == null) {
            return "the value";
        }
        return switch (context) {
            case "while parsing a block mapping" -> "the map";
            case "while parsing a block collection" -> "the list";
            case "while parsing a flow sequence" -> "the [ ] list";
            case "while parsing a flow mapping" -> "the { } map";
            case "while scanning a quoted scalar" -> "the quoted string";
            case "while scanning a simple key" -> "the key";
            default -> context.replaceFirst("^while (parsing|scanning) ", "");
        };
    }
}
