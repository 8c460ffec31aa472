package dev.syscage.policy.isolate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The isolation model: what it accepts, what a path is under it, and how it is shown. */
class IsolationTest {
    @Test
    void noneAsksForNothing() {
        assertTrue(Isolation.NONE.isEmpty());
        assertEquals("none", Isolation.NONE.describe());
        assertFalse(new Isolation(Set.of(Namespace.UTS), List.of(), List.of(), Compat.REQUIRED).isEmpty());
        assertFalse(new Isolation(Set.of(), List.of("/usr"), List.of(), Compat.REQUIRED).isEmpty());
    }

    @Test
    void namespacesKeepTheirOrderAndWords() {
        Isolation i =
                new Isolation(Set.of(Namespace.UTS, Namespace.NET), List.of("/"), List.of("/tmp"), Compat.BEST_EFFORT);
        assertEquals(List.of(Namespace.NET, Namespace.UTS), List.copyOf(i.namespaces()));
        assertEquals("namespaces: net, uts; read-only: /; writable: /tmp; best-effort", i.describe());
        assertEquals(List.of("net", "ipc", "uts"), Namespace.words());
        assertEquals(Optional.of(Namespace.IPC), Namespace.byWord("ipc"));
        assertEquals(Optional.empty(), Namespace.byWord("pid"));
        assertEquals(Optional.of(Compat.BEST_EFFORT), Compat.byWord("best-effort"));
    }

    @Test
    void whatTheLoaderRejectsTheModelRejectsToo() {
        Set<Namespace> none = EnumSet.noneOf(Namespace.class);
        assertThrows(
                IllegalArgumentException.class, () -> new Isolation(none, List.of("usr"), List.of(), Compat.REQUIRED));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Isolation(none, List.of("/usr/"), List.of(), Compat.REQUIRED));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Isolation(none, List.of("/a/../b"), List.of(), Compat.REQUIRED));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Isolation(none, List.of("/a", "/a"), List.of(), Compat.REQUIRED));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Isolation(none, List.of("/a"), List.of("/a"), Compat.REQUIRED));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Isolation(none, List.of("/a"), List.of("/ab"), Compat.REQUIRED));
    }

    @Test
    void theDeepestPathDecides() {
        Isolation i = new Isolation(Set.of(), List.of("/srv", "/srv/www/frozen"), List.of("/srv/www"), Compat.REQUIRED);
        assertFalse(i.isReadOnly("/etc"));
        assertTrue(i.isReadOnly("/srv"));
        assertTrue(i.isReadOnly("/srv/wwwx"));
        assertFalse(i.isReadOnly("/srv/www/a"));
        assertTrue(i.isReadOnly("/srv/www/frozen/a"));
        assertFalse(i.withoutMounts().isReadOnly("/srv"));
        assertEquals(
                List.of(
                        new Isolation.Mount("/srv", false),
                        new Isolation.Mount("/srv/www", true),
                        new Isolation.Mount("/srv/www/frozen", false)),
                i.mounts(),
                "shallowest first: the deeper bind wins");
    }
}
