package dev.syscage.learn;

import static dev.syscage.policy.landlock.FsAccess.EXECUTE;
import static dev.syscage.policy.landlock.FsAccess.IOCTL_DEV;
import static dev.syscage.policy.landlock.FsAccess.MAKE_DIR;
import static dev.syscage.policy.landlock.FsAccess.MAKE_REG;
import static dev.syscage.policy.landlock.FsAccess.READ_DIR;
import static dev.syscage.policy.landlock.FsAccess.READ_FILE;
import static dev.syscage.policy.landlock.FsAccess.REFER;
import static dev.syscage.policy.landlock.FsAccess.REMOVE_FILE;
import static dev.syscage.policy.landlock.FsAccess.TRUNCATE;
import static dev.syscage.policy.landlock.FsAccess.WRITE_FILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.syscage.learn.FsGrouping.Covered;
import dev.syscage.learn.FsGrouping.Grouped;
import dev.syscage.learn.FsGrouping.Places;
import dev.syscage.learn.FsGrouping.Rule;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.landlock.LandlockRuleset;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.Scope;
import dev.syscage.policy.model.Policy;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** How {@link FsGrouping} turns a footprint into rules, and the section {@link FsSection} writes: no kernel needed. */
class LearnGroupingTest {
    private static final long READ = READ_FILE | READ_DIR;
    private static final long CREATE = FsAccess.WORDS.get("create");
    private static final long REMOVE = FsAccess.WORDS.get("remove");

    /** Every path is there, except {@code missing}; home is /home/u. */
    private static Places places(String... missing) {
        Set<String> gone = Set.of(missing);
        return new Places(p -> !gone.contains(p), Optional.of("/home/u"));
    }

    /** path -> "words optional?" for every rule, to compare whole results. */
    private static Map<String, String> byPath(Grouped g) {
        Map<String, String> out = new TreeMap<>();
        for (Rule r : g.rules()) {
            for (Covered c : r.paths()) {
                out.put(
                        c.path(),
                        String.join(", ", FsGrouping.words(r.access())) + (r.optional() ? " (optional)" : ""));
            }
        }
        return out;
    }

    private static Covered covered(Grouped g, String path) {
        return g.rules().stream()
                .flatMap(r -> r.paths().stream())
                .filter(c -> c.path().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no rule on " + path + ": " + byPath(g)));
    }

    @Test
    void systemTreesAreReadAndExecutedAsAWholeInOneRule() {
        Footprint f = new Footprint.Builder()
                .touch("/usr/lib/x86_64-linux-gnu/libc.so.6", READ_FILE, false, 3)
                .touch("/usr/bin/dash", EXECUTE | READ_FILE, false)
                .touch("/usr/bin", READ_DIR, true)
                .touch("/etc/hostname", READ_FILE, false, 2)
                .build();
        Grouped g = FsGrouping.group(f, places());
        assertEquals(1, g.rules().size(), g.toString());
        Rule r = g.rules().get(0);
        assertEquals(List.of("read", "execute"), FsGrouping.words(r.access()));
        assertEquals(
                List.of(new Covered("/etc", 2, 1, "system tree"), new Covered("/usr", 5, 3, "system tree")), r.paths());
        assertTrue(!r.optional());
    }

    @Test
    void otherReadsGoToTheDeepestCommonDirectoryOfTheirFirstTwoComponents() {
        Footprint f = new Footprint.Builder()
                .touch("/opt/app/lib/a.so", READ_FILE, false)
                .touch("/opt/app/share/doc/c.txt", READ_FILE, false)
                .touch("/opt/other/x", READ_FILE, false)
                .touch("/srv/www/site/index.html", READ_FILE, false)
                .touch("/srv/www/site/img/logo.png", READ_FILE, false)
                .touch("/home/u/bin/tool", EXECUTE | READ_FILE, false)
                .build();
        assertEquals(
                Map.of(
                        "/opt/app",
                        "read",
                        "/opt/other",
                        "read",
                        "/srv/www/site",
                        "read",
                        "/home/u/bin",
                        "read, execute (optional)"),
                byPath(FsGrouping.group(f, places())));
    }

    @Test
    void writesIntoDirectoriesTheRunMadeGoToTheNearestOneThatWasThere() {
        // mkdir -p /tmp/t/out; echo x > /tmp/t/out/f; cat /tmp/t/out/f
        Footprint f = new Footprint.Builder()
                .touch("/tmp/t", MAKE_DIR, true)
                .made("/tmp/t/out")
                .touch("/tmp/t/out", MAKE_REG, true)
                .made("/tmp/t/out/f")
                .touch("/tmp/t/out/f", WRITE_FILE | TRUNCATE, false)
                .touch("/tmp/t/out/f", READ_FILE, false)
                .build();
        Grouped g = FsGrouping.group(f, places());
        assertEquals(Map.of("/tmp/t", "read, write, create (optional)"), byPath(g));
        assertEquals(new Covered("/tmp/t", 4, 3, ""), covered(g, "/tmp/t"));
        // the same, when the directory the run made was removed again by the end: it is not there either
        Footprint gone =
                new Footprint.Builder().touch("/tmp/t/out", MAKE_REG, true).build();
        assertEquals(Map.of("/tmp/t", "create (optional)"), byPath(FsGrouping.group(gone, places("/tmp/t/out"))));
    }

    @Test
    void aWriteToAFileThatWasThereIsARuleOnItsDirectoryOrInSystemTreesOnTheFileAlone() {
        Footprint f = new Footprint.Builder()
                .touch("/var/log/app/app.log", WRITE_FILE, false)
                .touch("/etc/app.conf", WRITE_FILE | TRUNCATE, false)
                .touch("/etc/hostname", READ_FILE, false)
                .touch("/data.bin", READ_FILE | WRITE_FILE, false)
                .build();
        assertEquals(
                Map.of(
                        "/var/log/app",
                        "write",
                        "/etc/app.conf",
                        "write",
                        "/etc",
                        "read, execute",
                        "/data.bin",
                        "read, write"),
                byPath(FsGrouping.group(f, places())));
    }

    @Test
    void nothingIsCreatedOrRemovedDirectlyInTheRootButItIsSaid() {
        Footprint f = new Footprint.Builder()
                .touch("/", MAKE_DIR, true)
                .made("/newdir")
                .build();
        Grouped g = FsGrouping.group(f, places());
        assertEquals(List.of(), g.rules());
        assertEquals(List.of("create in / (1 access)"), g.leftOut());
    }

    @Test
    void devicesAreFilesOfTheirOwnTerminalsOneRuleProcAndSysWhole() {
        Footprint f = new Footprint.Builder()
                .touch("/dev/null", WRITE_FILE | TRUNCATE, false, 4)
                .touch("/dev/null", IOCTL_DEV, false)
                .touch("/dev/tty", READ_FILE | WRITE_FILE, false)
                .touch("/dev/pts/3", READ_FILE | WRITE_FILE | IOCTL_DEV, false)
                .touch("/proc/4242/status", READ_FILE, false)
                .touch("/proc/sys/kernel/ngroups_max", READ_FILE, false)
                .touch("/sys/devices/system/cpu/online", READ_FILE, false)
                .touch("/dev/shm", CREATE, true)
                .made("/dev/shm/sem.x")
                .touch("/dev/shm/sem.x", READ_FILE | WRITE_FILE, false)
                .build();
        Grouped g = FsGrouping.group(f, places());
        assertEquals(
                Map.of(
                        "/dev/null",
                        "write, ioctl-dev",
                        "/dev/tty",
                        "read, write",
                        "/dev/pts",
                        "read, write, ioctl-dev",
                        "/proc",
                        "read",
                        "/sys",
                        "read",
                        "/dev/shm",
                        "read, write, create (optional)"),
                byPath(g));
        assertEquals(new Covered("/dev/null", 5, 1, ""), covered(g, "/dev/null"));
        assertEquals("terminals", covered(g, "/dev/pts").note());
    }

    @Test
    void listingAShallowDirectoryGivesReadDirThereAndAFileInItIsARuleOfItsOwn() {
        Footprint f = new Footprint.Builder()
                .touch("/tmp", READ_DIR, true)
                .touch("/tmp/notes.txt", READ_FILE, false)
                .build();
        Grouped g = FsGrouping.group(f, places());
        assertEquals(Map.of("/tmp", "read-dir (optional)", "/tmp/notes.txt", "read (optional)"), byPath(g));
        assertEquals("listed only", covered(g, "/tmp").note());
        // listing / too: that covers listing /tmp, not reading the file
        Footprint root = new Footprint.Builder()
                .touch("/", READ_DIR, true)
                .touch("/tmp", READ_DIR, true)
                .touch("/tmp/notes.txt", READ_FILE, false)
                .build();
        Grouped r = FsGrouping.group(root, places());
        assertEquals(Map.of("/", "read-dir", "/tmp/notes.txt", "read (optional)"), byPath(r));
        assertEquals(new Covered("/", 2, 2, "listed only"), covered(r, "/"));
    }

    @Test
    void aRuleBeneathOneThatGrantsAllItGrantsIsFoldedIntoIt() {
        Footprint f = new Footprint.Builder()
                .touch("/home/u/proj", READ_DIR | MAKE_REG | REMOVE_FILE, true)
                .touch("/home/u/proj/src", READ_DIR, true)
                .touch("/home/u/proj/src/main.c", READ_FILE, false, 2)
                .touch("/home/u/proj/build", MAKE_REG, true)
                .touch("/home/u/proj/build", WRITE_FILE, true)
                .build();
        Grouped g = FsGrouping.group(f, places());
        // reads: one cluster /home/u/proj; writes: proj (create, remove) and proj/build (write, create)
        assertEquals(
                Map.of(
                        "/home/u/proj",
                        "read, create, remove (optional)",
                        "/home/u/proj/build",
                        "write, create (optional)"),
                byPath(g));
        assertEquals(new Covered("/home/u/proj", 5, 3, ""), covered(g, "/home/u/proj"));
    }

    @Test
    void renamesAcrossDirectoriesNeedRenameOnBoth() {
        Footprint f = new Footprint.Builder()
                .touch("/srv/in", REMOVE_FILE | REFER, true)
                .touch("/srv/done", MAKE_REG | REFER, true)
                .build();
        assertEquals(
                Map.of("/srv/in", "remove, rename", "/srv/done", "create, rename"),
                byPath(FsGrouping.group(f, places())));
    }

    @Test
    void pathsAPolicyCannotHoldGiveWayToTheirDirectory() {
        assertEquals("/srv/data", FsGrouping.usable("/srv/data/report[1].txt"));
        assertEquals("/srv", FsGrouping.usable("/srv/a*b/c"));
        assertEquals("/", FsGrouping.usable("/x\ny"));
        assertEquals("/srv/plain name", FsGrouping.usable("/srv/plain name"));
        Footprint f = new Footprint.Builder()
                .touch("/srv/data/report[1].txt", WRITE_FILE, false)
                .build();
        assertEquals(Map.of("/srv/data", "write"), byPath(FsGrouping.group(f, places())));
    }

    @Test
    void rightsAreWrittenAsThePolicyWordsWithKernelNamesForTheRest() {
        assertEquals(List.of("read", "execute"), FsGrouping.words(READ | EXECUTE));
        assertEquals(List.of("write"), FsGrouping.words(WRITE_FILE | TRUNCATE));
        assertEquals(List.of("truncate"), FsGrouping.words(TRUNCATE));
        assertEquals(List.of("read-dir"), FsGrouping.words(READ_DIR));
        assertEquals(List.of("create", "remove", "rename"), FsGrouping.words(CREATE | REMOVE | REFER));
        assertEquals(List.of("make-dir"), FsGrouping.words(MAKE_DIR));
        assertEquals(READ | WRITE_FILE | TRUNCATE | CREATE, FsGrouping.widen(READ_FILE | WRITE_FILE | MAKE_DIR));
    }

    private static Observations observations(Footprint f) {
        return new Observations(new TreeMap<>(Map.of("openat", 3L, "read", 2L)), Map.of(), 3, 1, f);
    }

    private static String write(Footprint f, Optional<MergeBase> merge) {
        return ProfileWriter.write(
                        observations(f),
                        new ProfileWriter.Options("t", "test", false, merge, Arch.nativeArch(), places()))
                .yaml();
    }

    @Test
    void theSectionIsWrittenWithCountsBestEffortAndBothScopesAndLoads() {
        Footprint f = new Footprint.Builder()
                .touch("/usr/bin/dash", EXECUTE | READ_FILE, false)
                .touch("/etc/hostname", READ_FILE, false, 2)
                .touch("/tmp", READ_DIR, true)
                .touch("/tmp/a b", MAKE_REG, true)
                .made("/tmp/a b/f")
                .touch("/tmp/a b/f", WRITE_FILE, false)
                .build();
        String yaml = write(f, Optional.empty());
        String expected = """
                # Files: what the program read, wrote and executed, grouped by directory (docs/learn.md): 6 accesses to 5 paths.
                # Landlock denies every other path to the program and its children.
                landlock: best-effort
                filesystem:
                  allow:
                    - paths:
                        - /etc                          # 2 accesses; system tree
                        - /usr                          # 1 access; system tree
                      access: [read, execute]
                    - paths:
                        - /tmp                          # 1 access; listed only
                      access: [read-dir]
                      optional: true                    # under /tmp or home: may not be there next time
                    - paths:
                        - "/tmp/a b"                    # 2 accesses to 2 paths
                      access: [write, create]
                      optional: true                    # under /tmp or home: may not be there next time
                scope: [signal, abstract-unix-socket]   # no signals to, no abstract-socket connects to, processes outside
                """;
        assertTrue(yaml.endsWith(expected), yaml);
        Policy p =
                PolicyLoader.loadString("t.yaml", yaml, LoadOptions.defaults().withArches(List.of(Arch.nativeArch())));
        LandlockRuleset r = p.landlock();
        assertEquals(FsAccess.ALL, r.handledFs());
        assertEquals(Scope.ALL, r.scoped());
        assertEquals(LandlockRuleset.Compat.BEST_EFFORT, r.compat());
        assertEquals(
                List.of("/etc", "/usr", "/tmp", "/tmp/a b"),
                r.paths().stream().map(PathRule::path).toList());
    }

    @Test
    void signallingOutsideDropsTheSignalScopeAndSaysWhy() {
        Footprint f = new Footprint.Builder()
                .touch("/usr/bin/kill", EXECUTE | READ_FILE, false)
                .signalsOutside()
                .build();
        String yaml = write(f, Optional.empty());
        assertTrue(
                yaml.endsWith(
                        "# Not scoped: it signalled a process outside its own tree.\n"
                                + "scope: [abstract-unix-socket]           # no signals to, no abstract-socket connects to, processes outside\n"),
                yaml);
        Footprint both =
                new Footprint.Builder().signalsOutside().abstractOutside().build();
        String none = write(both, Optional.empty());
        assertTrue(
                !none.contains("scope:")
                        && none.contains("# Not scoped: it signalled a process outside its own tree; "
                                + "it reached an abstract UNIX socket it did not bind.\n"),
                none);
        assertTrue(none.contains("filesystem:\n  confine: all"), none);
        PolicyLoader.loadString("t.yaml", none, LoadOptions.defaults().withArches(List.of(Arch.nativeArch())));
    }

    @Test
    void mergeCarriesTheBaseRulesOverAndScopesOnlyWhatItScopes() {
        LandlockRuleset base = new LandlockRuleset(
                FsAccess.ALL,
                0,
                Scope.SIGNAL,
                List.of(
                        new PathRule("/srv/data", READ, false, null),
                        new PathRule("/srv/more", READ, false, null),
                        new PathRule("/var/cache/app", READ | WRITE_FILE | TRUNCATE | CREATE, true, null)),
                List.of(),
                LandlockRuleset.Compat.REQUIRED);
        MergeBase m = new MergeBase("old.yaml", new TreeSet<>(), new TreeSet<>(), base);
        Footprint f = new Footprint.Builder()
                .touch("/usr/bin/true", EXECUTE | READ_FILE, false)
                .build();
        String yaml = write(f, Optional.of(m));
        assertTrue(yaml.contains("""
                    - paths:
                        - /srv/data                     # from old.yaml
                        - /srv/more                     # from old.yaml
                      access: [read]
                    - paths:
                        - /var/cache/app                # from old.yaml
                      access: [read, write, create]
                      optional: true                    # under /tmp or home: may not be there next time
                # Not scoped: old.yaml does not scope abstract-unix-socket.
                scope: [signal]"""), yaml);
        List<String> paths = new ArrayList<>();
        PolicyLoader.loadString("t.yaml", yaml, LoadOptions.defaults().withArches(List.of(Arch.nativeArch())))
                .landlock()
                .paths()
                .forEach(p -> paths.add(p.path()));
        assertEquals(List.of("/usr", "/srv/data", "/srv/more", "/var/cache/app"), paths);
        // a base without Landlock sections leaves the scope to the run
        MergeBase plain = new MergeBase("old.yaml", new TreeSet<>(), new TreeSet<>(), LandlockRuleset.NONE);
        assertTrue(write(f, Optional.of(plain)).contains("\nscope: [signal, abstract-unix-socket] "));
    }
}
