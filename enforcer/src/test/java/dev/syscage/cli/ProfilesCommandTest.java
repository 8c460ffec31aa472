package dev.syscage.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code syscage profiles} and {@code syscage profiles show NAME}. */
class ProfilesCommandTest {

    @Test
    void listsEveryShippedProfileWithItsDescription() {
        CliTest.Run r = CliTest.run("profiles");
        assertEquals(0, r.code(), r.err());
        for (String name : new String[] {
            "build", "default", "no-exec", "no-network", "python", "read-only", "shell", "strict-stdio"
        }) {
            assertTrue(
                    r.out().lines().anyMatch(l -> l.startsWith(name + " ") && l.length() > 16),
                    name + " in\n" + r.out());
        }
        assertTrue(r.out().contains("default        container-like defaults for ordinary programs\n"), r.out());
    }

    @Test
    void showPrintsTheProfileAndExpandsGroups() {
        CliTest.Run r = CliTest.run("profiles", "show", "no-network");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("#"), r.out());
        assertTrue(r.out().contains("include: [default]"), r.out());
        assertTrue(r.out().contains("# Groups expanded, rule by rule (first match wins):"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("#    @basic-io = .*\\bread\\b.*")), r.out());
    }

    @Test
    void anUnknownProfileListsTheShippedOnes() {
        CliTest.Run r = CliTest.run("profiles", "show", "nope");
        assertEquals(2, r.code());
        assertTrue(
                r.err().startsWith("syscage: no shipped profile 'nope'; the shipped profiles are: build, default, "),
                r.err());
    }

    @Test
    void aWarningsValueThatNamesTheSubcommandIsTheValue() {
        CliTest.Run listed = CliTest.run("profiles", "-W", "show");
        assertEquals(0, listed.code(), listed.err());
        assertEquals(CliTest.run("profiles").out(), listed.out());
        CliTest.Run shown = CliTest.run("profiles", "-W", "show", "show", "no-network");
        assertEquals(0, shown.code(), shown.err());
        assertEquals(CliTest.run("profiles", "show", "no-network").out(), shown.out());
        CliTest.Run none = CliTest.run("profiles", "show", "-W", "show", "no-network");
        assertEquals(0, none.code(), none.err());
        assertEquals(shown.out(), none.out());
    }
}
