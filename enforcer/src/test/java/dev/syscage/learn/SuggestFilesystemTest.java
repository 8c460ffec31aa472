package dev.syscage.learn;

import static dev.syscage.policy.landlock.FsAccess.EXECUTE;
import static dev.syscage.policy.landlock.FsAccess.MAKE_DIR;
import static dev.syscage.policy.landlock.FsAccess.MAKE_REG;
import static dev.syscage.policy.landlock.FsAccess.READ_FILE;
import static dev.syscage.policy.landlock.FsAccess.REFER;
import static dev.syscage.policy.landlock.FsAccess.REMOVE_FILE;
import static dev.syscage.policy.landlock.FsAccess.TRUNCATE;
import static dev.syscage.policy.landlock.FsAccess.WRITE_FILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.syscage.auditlog.AuditLogReader;
import dev.syscage.auditlog.Records;
import dev.syscage.learn.Footprint.Touch;
import dev.syscage.policy.arch.Arch;
import dev.syscage.policy.fallback.FsCalls;
import dev.syscage.policy.landlock.FsAccess;
import dev.syscage.policy.validate.LoadOptions;
import dev.syscage.policy.validate.PolicyLoader;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code suggest} for what the {@code filesystem:} section denied, without a kernel: Landlock's
 * records read (blockers and path), the rights of a {@code by: filesystem} complaint from its
 * syscall and registers ({@link FsCalls#rightsNeeded}) and where they are needed, the
 * {@code filesystem: allow:} rules proposed, and where {@code --merge} puts them.
 */
class SuggestFilesystemTest {
    private static final String FILESYSTEM = "{\"decision\":\"errno\",\"errno\":13,\"errno_name\":\"EACCES\","
            + "\"rule\":\"p.yaml:3\",\"by\":\"filesystem\"}";
    private static final long O_WRONLY = 01;
    private static final long O_CREAT = 0100;
    private static final long O_TRUNC = 01000;

    private static String landlock(String rule, String path) {
        ObjectNode r = Records.call()
                .put("seq", 0)
                .put("source", "landlock")
                .put("rule", rule)
                .put("resolved_path", path)
                .put("path", path)
                .put("hook", (String) null)
                .put("result", (Long) null);
        return Records.line(r);
    }

    /** A complaint of the filesystem: section: {@code syscall} with these registers, at {@code path} (and {@code path2}). */
    private static String complaint(String syscall, String path, String path2, long... regs) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < regs.length; i++) {
            a.addObject()
                    .put("name", "arg" + i)
                    .put("kind", "raw")
                    .put("value", "0x" + Long.toHexString(regs[i]))
                    .put("text", "x");
        }
        ObjectNode r = Records.call()
                .put("syscall", syscall)
                .put("decision", "allow")
                .put("rule", "complain")
                .put("resolved_path", path)
                .put("resolved_path2", path2)
                .putNull("errno")
                .putNull("errno_name")
                .putNull("result");
        r.set("would", Records.parse(FILESYSTEM));
        r.set("args", a);
        return Records.line(r);
    }

    private static DeniedCalls read(String log) throws Exception {
        DeniedCalls d = new DeniedCalls();
        AuditLogReader.forEach("t.jsonl", new BufferedReader(new StringReader(log)), d::add);
        return d;
    }

    private static Map<String, Touch> needs(DeniedCalls d, String kind) {
        return d.fs().footprints().get(kind).touches();
    }

    @Test
    void landlockRecordsGiveTheirFileBlockersAtThePathTheyName() throws Exception {
        DeniedCalls d = read(landlock(
                        "landlock domain=11317df93 blockers=fs.write_file path=/srv/out/f dev=vda ino=2147228",
                        "/srv/out/f")
                + landlock(
                        "landlock domain=11317df93 blockers=fs.make_reg,fs.remove_file path=/srv/out dev=vda ino=7",
                        "/srv/out")
                + landlock("landlock domain=1 blockers=fs.execute,fs.read_file path=/opt/a b dev=vda ino=8", null)
                + landlock("landlock domain=1 blockers=net.bind_tcp src=8080", null)
                + landlock("landlock domain=1 blockers=scope.signal opid=1 ocomm=\"init\"", null));
        assertEquals(Map.of("landlock", 3L), d.fs().calls());
        assertEquals(Map.of("landlock", 2L), d.skipped());
        Map<String, Touch> n = needs(d, "landlock");
        assertEquals(Set.of("/srv/out/f", "/srv/out", "/opt/a b"), n.keySet());
        assertEquals(WRITE_FILE, n.get("/srv/out/f").access());
        assertEquals(false, n.get("/srv/out/f").directory());
        assertEquals(MAKE_REG | REMOVE_FILE, n.get("/srv/out").access());
        assertTrue(n.get("/srv/out").directory(), "make and remove are checked on the directory");
        // without resolved_path: the rule's path=, decoded, up to dev=
        assertEquals(EXECUTE | READ_FILE, n.get("/opt/a b").access());
    }

    @Test
    void theKernelsBlockerNamesAreFsAccessRights() {
        assertEquals(
                FsAccess.ALL,
                DeniedCalls.blockedRights(
                        "landlock domain=1 blockers=fs.execute,fs.write_file,"
                                + "fs.read_file,fs.read_dir,fs.remove_dir,fs.remove_file,fs.make_char,fs.make_dir,fs.make_reg,"
                                + "fs.make_sock,fs.make_fifo,fs.make_block,fs.make_sym,fs.refer,fs.truncate,fs.ioctl_dev path=/x"));
        assertEquals(0, DeniedCalls.blockedRights("landlock domain=1 blockers=fs.change_topology,net.connect_tcp"));
    }

    @Test
    void aComplaintNeedsWhatFsCallsSaysOnTheFileAndOnItsDirectory() throws Exception {
        long fdcwd = -100;
        DeniedCalls d = read(complaint("openat", "/w/out/f", null, fdcwd, 0x1000, O_WRONLY | O_CREAT | O_TRUNC, 0644)
                + complaint("mkdir", "/w", null, 0x1000, 0755)
                + complaint("mkdir", "/w/new", null, 0x1000, 0755)
                + complaint("unlink", "/w/gone/old", null, 0x1000)
                + complaint("rename", "/w/a/x", "/w/b/y", 0x1000, 0x2000)
                + complaint("execve", "/opt/tool/bin/t", null, 0x1000, 0x2000, 0x3000)
                + complaint("openat", null, null, fdcwd, 0x1000, 0));
        assertEquals(Map.of("filesystem", 6L), d.fs().calls());
        assertEquals(Map.of("filesystem", 1L), d.skipped(), "a complaint that names no path");
        Map<String, Touch> n = needs(d, "filesystem");
        assertEquals(WRITE_FILE | TRUNCATE, n.get("/w/out/f").access());
        assertEquals(MAKE_REG, n.get("/w/out").access(), "O_CREAT: make_reg on the directory");
        assertTrue(n.get("/w/out").directory());
        assertEquals(MAKE_DIR, n.get("/w").access(), "mkdir: make_dir on the parent");
        assertEquals(
                Set.of("/w/new"),
                d.fs().footprints().get("filesystem").made(),
                "the deepest mkdir made its directory; /w, which it went into, was there (mkdir -p)");
        assertEquals(REMOVE_FILE, n.get("/w/gone").access());
        long rename = FsCalls.rightsNeeded(Arch.X86_64, "rename", new long[6]);
        assertEquals(rename, n.get("/w/a").access(), "rename: both ends");
        assertEquals(rename, n.get("/w/b").access());
        assertTrue((rename & REFER) != 0 && (rename & REMOVE_FILE) != 0 && (rename & MAKE_REG) != 0);
        assertEquals(EXECUTE | READ_FILE, n.get("/opt/tool/bin/t").access());
        assertEquals(Set.of("/w/out/f", "/w/out", "/w", "/w/gone", "/w/a", "/w/b", "/opt/tool/bin/t"), n.keySet());
    }

    @Test
    void rightsNeededTestsTheRegistersAsTheFilterWould() {
        long[] regs = new long[6];
        regs[2] = 0; // O_RDONLY
        assertEquals(READ_FILE, FsCalls.rightsNeeded(Arch.X86_64, "openat", regs));
        regs[2] = 010000000; // O_PATH: not checked
        assertEquals(0, FsCalls.rightsNeeded(Arch.X86_64, "openat", regs));
        regs[0] = 0x200; // unlinkat's flag is its third register; AT_REMOVEDIR
        regs[2] = 0x200;
        assertEquals(FsAccess.REMOVE_DIR, FsCalls.rightsNeeded(Arch.X86_64, "unlinkat", regs));
        assertEquals(0, FsCalls.rightsNeeded(Arch.X86_64, "read", regs));
        assertEquals(0, FsCalls.rightsNeeded(Arch.X86_64, "no_such_call", regs));
    }

    @Test
    void theRulesAreGroupedAndWordedAsLearnWritesThemWithTheRecordKind() throws Exception {
        DeniedCalls d = read(landlock(
                        "landlock domain=1 blockers=fs.write_file path=/srv/out/a dev=vda ino=1", "/srv/out/a")
                + landlock("landlock domain=1 blockers=fs.write_file path=/srv/out/b dev=vda ino=2", "/srv/out/b")
                + landlock("landlock domain=1 blockers=fs.make_reg path=/srv/out dev=vda ino=3", "/srv/out")
                + landlock("landlock domain=1 blockers=fs.read_file path=/tmp/x/in dev=vda ino=4", "/tmp/x/in"));
        FsGrouping.Places places = new FsGrouping.Places(p -> true, Optional.empty());
        assertEquals("""
                    # 4 calls Landlock denied (source: landlock)
                    - paths:
                        - /srv/out                      # 3 accesses to 3 paths; landlock
                      access: [write, create]
                    - paths:
                        - /tmp/x                        # 1 access; landlock
                      access: [read]
                      optional: true
                """, Suggestion.filesystemRules(d.fs(), places, FsAccess.ALL));
        assertEquals(
                """
                    # 4 calls Landlock denied (source: landlock)
                    - paths:
                        - /srv/out                      # 3 accesses to 3 paths; landlock
                      access: [write]
                """,
                Suggestion.filesystemRules(d.fs(), places, FsAccess.WRITE_FILE | FsAccess.TRUNCATE),
                "a policy that confines [write] gets only write");
    }

    private static final String ITEMS = """
                # 1 call Landlock denied (source: landlock)
                - paths:
                    - /srv/out
                  access: [write, create]
            """;

    @Test
    void mergeAddsToTheAllowListOrMakesIt() throws Exception {
        String policy = """
                version: 1
                default: allow
                filesystem:
                  # the policy's own
                  allow:
                    - paths: [/usr]
                      access: [read, execute]
                """;
        String merged = RuleInsertion.insert(policy, "", "", "", ITEMS);
        assertEquals("""
                version: 1
                default: allow
                filesystem:
                  # the policy's own
                  allow:
                    # 1 call Landlock denied (source: landlock)
                    - paths:
                        - /srv/out
                      access: [write, create]
                    - paths: [/usr]
                      access: [read, execute]
                """, merged);
        PolicyLoader.loadString("m.yaml", merged, LoadOptions.defaults());

        String confined = RuleInsertion.insert(
                "version: 1\ndefault: allow\nfilesystem:\n  confine: [write, create]\n", "", "", "", ITEMS);
        assertEquals(
                "version: 1\ndefault: allow\nfilesystem:\n  allow:\n" + ITEMS + "  confine: [write, create]\n",
                confined);
        PolicyLoader.loadString("c.yaml", confined, LoadOptions.defaults());

        String none = RuleInsertion.insert("version: 1\ndefault: allow\n", "", "", "", ITEMS);
        assertEquals("version: 1\ndefault: allow\nfilesystem:\n  allow:\n" + ITEMS, none);
        PolicyLoader.loadString("n.yaml", none, LoadOptions.defaults());

        assertThrows(
                RuleInsertion.CannotMerge.class,
                () -> RuleInsertion.insert(
                        "version: 1\nfilesystem: {allow: [{paths: [/usr], access: [read]}]}\n", "", "", "", ITEMS));
        assertThrows(
                RuleInsertion.CannotMerge.class,
                () -> RuleInsertion.insert(
                        "version: 1\nfilesystem:\n  allow: [{paths: [/usr], access: [read]}]\n", "", "", "", ITEMS));
    }
}
