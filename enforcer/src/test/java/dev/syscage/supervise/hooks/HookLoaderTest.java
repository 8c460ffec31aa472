package dev.syscage.supervise.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.syscage.supervise.Decision;
import dev.syscage.supervise.SyscallContext;
import dev.syscage.supervise.SyscallHook;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading hooks: built-in, then named, then discovered; every loading problem in one message.
 * The services file lives in a temporary class-path entry, so other tests never discover these hooks.
 */
class HookLoaderTest {
    private static final String P = HookLoaderTest.class.getName() + "$";

    @TempDir
    Path dir;

    /** A hook that only has a name. */
    public static class Named implements SyscallHook {
        @Override
        public String name() {
            return getClass().getSimpleName();
        }
    }

    public static class First extends Named {}

    public static class Second extends Named {}

    public static class Discovered extends Named {}

    public static class AlsoDiscovered extends Named {}

    public static class NoDefaultConstructor extends Named {
        public NoDefaultConstructor(String x) {}
    }

    public static class FailsToStart extends Named {
        public FailsToStart() {
            throw new IllegalStateException("no config");
        }
    }

    private ClassLoader withServices(String... classNames) throws IOException {
        Path services = dir.resolve(HookLoader.SERVICE_FILE);
        Files.createDirectories(services.getParent());
        Files.write(services, List.of(classNames));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void builtInThenNamedThenDiscoveredEachOnce() throws IOException {
        ClassLoader loader = withServices(P + "Discovered", P + "First", P + "AlsoDiscovered");
        SyscallHook rules = new SyscallHook() {
            @Override
            public String name() {
                return "rules";
            }

            @Override
            public Optional<Decision> onSyscall(SyscallContext call) {
                return Optional.empty();
            }
        };
        HookChain chain = HookChain.load(
                List.of(rules), List.of(P + "Second", P + "First"), loader, HookChain.FailureListener.stderr());
        assertEquals(List.of("rules", "Second", "First", "Discovered", "AlsoDiscovered"), chain.names());
    }

    @Test
    void withNothingOnTheClassPathOnlyNamedHooksLoad() {
        List<SyscallHook> hooks =
                HookLoader.load(List.of(P + "First"), getClass().getClassLoader());
        assertEquals(1, hooks.size());
        assertEquals(First.class, hooks.get(0).getClass());
    }

    @Test
    void everyProblemIsNamedAtOnce() throws IOException {
        ClassLoader loader = withServices("com.example.Gone");
        HookLoadException e = assertThrows(
                HookLoadException.class,
                () -> HookLoader.load(
                        List.of(
                                "com.example.Missing",
                                "java.lang.String",
                                P + "NoDefaultConstructor",
                                P + "FailsToStart",
                                P + "First",
                                P + "First"),
                        loader));
        assertEquals(
                List.of(
                        "hook class 'com.example.Missing' was not found on the class path"
                                + " (java.lang.ClassNotFoundException: com.example.Missing);"
                                + " check the name and put its jar on the class path",
                        "hook class 'java.lang.String' does not implement dev.syscage.supervise.SyscallHook",
                        "hook class '" + P + "NoDefaultConstructor' needs a public class with a public constructor"
                                + " without arguments",
                        "hook class '" + P + "FailsToStart' failed in its constructor: java.lang.IllegalStateException:"
                                + " no config",
                        "hook class '" + P + "First' is named twice; name each hook once",
                        "a hook listed in META-INF/services/dev.syscage.supervise.SyscallHook could not be loaded:"
                                + " dev.syscage.supervise.SyscallHook: Provider com.example.Gone not found"),
                e.problems());
    }
}
