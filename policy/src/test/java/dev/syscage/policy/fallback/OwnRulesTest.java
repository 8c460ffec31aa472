package dev.syscage.policy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OwnRules}: how the fallback stages cut a policy's own path patterns down to theirs. */
class OwnRulesTest {
    /** How a policy's own pattern is cut to the children of a directory: never wider than the exact meet. */
    @Test
    void patternsCutToTheChildrenOfADirectory() {
        String fd = "/proc/self/fd";
        assertEquals(List.of("/proc/self/fd/*"), OwnRules.cutToChildren("/**", fd));
        assertEquals(List.of("/proc/self/fd/*"), OwnRules.cutToChildren("/proc/self/fd/*", fd));
        assertEquals(List.of("/proc/self/fd/1*"), OwnRules.cutToChildren("/proc/*/fd/1*", fd));
        assertEquals(List.of("/proc/self/fd/x"), OwnRules.cutToChildren("/proc/**/x", fd));
        assertEquals(List.of(), OwnRules.cutToChildren("/proc/self/fd/*/x", fd), "two components down");
        assertEquals(List.of(), OwnRules.cutToChildren("/tmp/**", fd));
        assertEquals(List.of("/tmp", "/tmp/**"), OwnRules.treePatterns("/tmp"));
        assertEquals(List.of("/tmp/**/*.txt"), OwnRules.cutToTree("/**/*.txt", "/tmp"));
    }
}
