package dev.syscage.policy.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.policy.diag.Diagnostic;
import dev.syscage.policy.diag.Diagnostics;
import dev.syscage.policy.diag.SourceText;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The YAML node tree: positions of every node, scalar types, and the problems the reader reports. */
class YamlReaderTest {
    private final Diagnostics diags = new Diagnostics();

    private YamlNode read(String text) {
        Optional<YamlNode> root = YamlReader.read(new SourceText("t.yaml", text), text, diags);
        assertTrue(root.isPresent(), () -> diags.all().toString());
        return root.get();
    }

    private List<String> errors() {
        return diags.all().stream().map(Diagnostic::header).toList();
    }

    @Test
    void everyNodeKnowsWhereItStarts() {
        YamlNode.Mapping m = (YamlNode.Mapping) read("a: 1\nlist:\n  - x\n  - {k: v}\n");
        assertEquals("t.yaml:1:1", m.pos().toString());
        YamlNode.Entry list = m.entry("list").orElseThrow();
        assertEquals("t.yaml:2:1", list.key().pos().toString());
        YamlNode.Sequence seq = assertInstanceOf(YamlNode.Sequence.class, list.value());
        assertEquals("t.yaml:3:3", seq.pos().toString());
        assertEquals("t.yaml:3:5", seq.items().get(0).pos().toString());
        YamlNode.Mapping inner =
                assertInstanceOf(YamlNode.Mapping.class, seq.items().get(1));
        assertEquals("t.yaml:4:5", inner.pos().toString());
        assertEquals("t.yaml:4:9", inner.entry("k").orElseThrow().value().pos().toString());
    }

    @Test
    void scalarTypesFollowYaml() {
        YamlNode.Mapping m = (YamlNode.Mapping) read("i: 0x10\nf: 1.5\nb: true\nn:\ns: '1'\nt: text\n");
        assertEquals(YamlNode.Scalar.Type.INTEGER, scalar(m, "i").type());
        assertEquals("0x10", scalar(m, "i").text());
        assertEquals(YamlNode.Scalar.Type.FLOAT, scalar(m, "f").type());
        assertEquals(YamlNode.Scalar.Type.BOOLEAN, scalar(m, "b").type());
        assertEquals(YamlNode.Scalar.Type.NULL, scalar(m, "n").type());
        assertEquals(YamlNode.Scalar.Type.STRING, scalar(m, "s").type());
        assertEquals("the string 'text'", scalar(m, "t").describe());
    }

    private static YamlNode.Scalar scalar(YamlNode.Mapping m, String key) {
        return (YamlNode.Scalar) m.entry(key).orElseThrow().value();
    }

    @Test
    void positionsInsideAScalarFollowQuotingStyle() {
        YamlNode.Mapping m =
                (YamlNode.Mapping) read("p: ab cd\nd: \"ab cd\"\ns: 'ab cd'\ne: \"a\\tb\"\nb: |\n  ab cd\n");
        assertEquals("t.yaml:1:7", scalar(m, "p").posAt(3).toString());
        assertEquals("t.yaml:2:8", scalar(m, "d").posAt(3).toString());
        assertEquals("t.yaml:3:8", scalar(m, "s").posAt(3).toString());
        // an escape shifts columns, a block scalar has no columns of its own: both fall back to the start
        assertEquals("t.yaml:4:4", scalar(m, "e").posAt(2).toString());
        assertEquals("t.yaml:5:4", scalar(m, "b").posAt(3).toString());
    }

    @Test
    void duplicateKeysAreErrorsAndTheFirstValueStays() {
        YamlNode.Mapping m = (YamlNode.Mapping) read("a: 1\nb: 2\na: 3\n");
        assertEquals(List.of("t.yaml:3:1: error: duplicate key 'a' (first given at line 1)"), errors());
        assertEquals("1", scalar(m, "a").text());
    }

    @Test
    void syntaxErrorsKeepThePositionAndLoseTheScannerJargon() {
        String text = "a:\n  - x\n  y: 2\n";
        Optional<YamlNode> root = YamlReader.read(new SourceText("t.yaml", text), text, diags);
        assertTrue(root.isEmpty());
        assertEquals(
                List.of("t.yaml:3:3: error: YAML syntax error: expected the end of the indented block, "
                        + "but found a new key (in the list that starts at line 2)"),
                errors());
    }

    @Test
    void anUnclosedFlowListIsReportedWhereItOpens() {
        String text = "a: [1, 2\n";
        YamlReader.read(new SourceText("t.yaml", text), text, diags);
        assertEquals(
                List.of("t.yaml:1:4: error: YAML syntax error: expected ',' or ']', but got the end of the file "
                        + "(the [ ] list that starts here is not closed)"),
                errors());
    }

    @Test
    void aliasesTagsAndSecondDocumentsAreReported() {
        String text = "a: &x 1\nb: *x\nc: !bang\n---\nd: 1\n";
        Optional<YamlNode> root = YamlReader.read(new SourceText("t.yaml", text), text, diags);
        assertTrue(root.isEmpty());
        assertEquals(
                List.of(
                        "t.yaml:2:4: error: YAML aliases ('*x') are not supported; write the value out",
                        "t.yaml:3:4: error: YAML reads '!bang' as a tag; put the value in quotes if '!' belongs to it",
                        "t.yaml:5:1: error: a second YAML document starts here; a policy file holds exactly one"),
                errors());
    }

    @Test
    void standardTagsAreAccepted() {
        YamlNode.Mapping m = (YamlNode.Mapping) read("a: !!str 5\n");
        assertEquals("5", scalar(m, "a").text());
        assertEquals(List.of(), errors());
    }

    @Test
    void emptyTextIsAnError() {
        String text = "# only a comment\n";
        assertTrue(YamlReader.read(new SourceText("t.yaml", text), text, diags).isEmpty());
        assertEquals(
                List.of("t.yaml:1:1: error: the file is empty; a policy needs at least 'version: 1' and 'default:'"),
                errors());
    }
}
