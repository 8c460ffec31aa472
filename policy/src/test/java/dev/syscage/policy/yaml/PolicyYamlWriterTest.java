package dev.syscage.policy.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Whatever string a policy's name, description, rule comment or condition holds, the written
 * YAML reads back as that string: not a number, a boolean, null, a second key or a comment.
 */
class PolicyYamlWriterTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Scalars a plain YAML value would turn into something else, or cut short. */
    private static final List<String> EDGES = List.of(
            "",
            " ",
            "123",
            "-1.5e3",
            "0x10",
            "0o17",
            "true",
            "no",
            "Yes",
            "off",
            "null",
            "~",
            "a: b",
            "key:",
            ": x",
            "# not a comment",
            "x # y",
            "  leading spaces",
            "trailing  ",
            "'single'",
            "\"double\"",
            "back\\slash",
            "{a: 1}",
            "[1, 2]",
            "- item",
            "&anchor",
            "*alias",
            "!tag",
            "%directive",
            "@at",
            "`tick",
            "|",
            ">",
            "?",
            "---",
            "...",
            "tab\there",
            "line\nbreak",
            "bell\u0007",
            "del\u007f",
            "nel\u0085",
            "c1\u009b",
            "ls\u2028ps\u2029",
            "bom\ufeff",
            "snow \u2603 and \ud83d\ude00");

    @Test
    void everyEdgeCaseReadsBackAsItselfThroughJacksonAndThePolicyLoader() throws Exception {
        for (String s : EDGES) {
            String yaml = PolicyYamlWriter.write(new PolicyYamlWriter.Document(
                    List.of("from " + s, "", "x"),
                    s,
                    s,
                    List.of(Arch.X86_64),
                    "errno EPERM",
                    "kill",
                    "kill",
                    List.of(new PolicyYamlWriter.Rule(s, "allow", List.of("read", "write"), null))));
            JsonNode doc = YAML.readTree(yaml);
            String shown =
                    s.codePoints().mapToObj(c -> String.format("U+%04X", c)).toList() + ":\n" + yaml;
            assertEquals(s, doc.get("name").asText(), shown);
            assertEquals(s, doc.get("description").asText(), shown);
            assertEquals(s, doc.get("rules").get(0).get("comment").asText(), shown);
            assertEquals(8, doc.size(), "one key each, no more: " + shown);
            Policy p = PolicyLoader.loadString("p.yaml", yaml, LoadOptions.defaults());
            assertEquals(s, p.description(), shown);
        }
    }

    @Test
    void quotingIsJsonsEscapingWithYamlsUnprintablesEscapedToo() {
        assertEquals("\"\"", PolicyYamlWriter.quote(""));
        assertEquals("\"true\"", PolicyYamlWriter.quote("true"));
        assertEquals("\"a: b # c\"", PolicyYamlWriter.quote("a: b # c"));
        assertEquals("\"  x\"", PolicyYamlWriter.quote("  x"));
        assertEquals("\"\\\"q\\\" \\\\ \\n \\t\"", PolicyYamlWriter.quote("\"q\" \\ \n \t"));
        assertEquals("\"\\u0007\\u007f\\u0085\\u2028\"", PolicyYamlWriter.quote("\u0007\u007f\u0085\u2028"));
        assertEquals("comment \\u0085 \\u0000\ttab", PolicyYamlWriter.printable("comment \u0085 \u0000\ttab"));
    }

    @Test
    void theHeaderIsCommentsThenVersionNameAndDescription() {
        StringBuilder sb = new StringBuilder();
        PolicyYamlWriter.header(sb, List.of("Learned by 'syscage learn'", ""), "0755", "yes");
        assertEquals(
                "# Learned by 'syscage learn'\n#\nversion: 1\nname: \"0755\"\ndescription: \"yes\"\n", sb.toString());
    }
}
