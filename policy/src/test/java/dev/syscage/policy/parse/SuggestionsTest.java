package dev.syscage.policy.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> WORDS = List.of("openat", "open", "read", "readv", "write", "rules");

    @Test
    void suggestsTheClosestWordWithinTypoDistance() {
        assertEquals(Optional.of("openat"), Suggestions.closest("opnat", WORDS));
        assertEquals(Optional.of("write"), Suggestions.closest("wrte", WORDS));
        assertEquals(Optional.of("rules"), Suggestions.closest("RULES", WORDS));
        assertEquals(Optional.of("read"), Suggestions.closest("raed", WORDS));
    }

    @Test
    void shortWordsGetOnlyOneEditAndFarWordsNothing() {
        assertEquals(Optional.empty(), Suggestions.closest("xy", WORDS));
        assertEquals(Optional.empty(), Suggestions.closest("c", List.of("a", "b")));
        assertEquals(Optional.of("ab"), Suggestions.closest("AB", List.of("ab")));
        assertEquals(Optional.empty(), Suggestions.closest("rdx", WORDS));
        assertEquals(Optional.empty(), Suggestions.closest("frobnicate", WORDS));
    }

    @Test
    void tiesGoToTheAlphabeticallyFirst() {
        assertEquals(Optional.of("read"), Suggestions.closest("reax", List.of("reay", "read")));
    }

    @Test
    void distanceCountsEditsAndSwaps() {
        assertEquals(3, Suggestions.distance("kitten", "sitting", 5));
        assertEquals(1, Suggestions.distance("raed", "read", 2));
        assertEquals(3, Suggestions.distance("ca", "abc", 3)); // a swapped pair is not edited further
        assertEquals(6, Suggestions.distance("abc", "abcdefghi", 5)); // gives up above the limit
    }
}
