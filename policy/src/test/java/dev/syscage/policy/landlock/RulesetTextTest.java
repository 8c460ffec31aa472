package dev.syscage.policy.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.syscage.policy.diag.SourceText;
import dev.syscage.policy.landlock.LandlockRuleset.Compat;
import dev.syscage.policy.landlock.LandlockRuleset.PathRule;
import dev.syscage.policy.landlock.LandlockRuleset.PortRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code run --dry-run}, {@code check}, {@code disasm} and {@code compile --format json} show of a ruleset. */
class RulesetTextTest {
    private static final SourceText WEB = new SourceText("web.yaml", "");
    private static final long READ_EXEC = FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.EXECUTE;

    private static final LandlockRuleset WEB_RULES = new LandlockRuleset(
            FsAccess.READ_FILE | FsAccess.READ_DIR | FsAccess.EXECUTE | FsAccess.WRITE_FILE,
            NetAccess.ALL,
            Scope.SIGNAL,
            List.of(
                    new PathRule("/usr", READ_EXEC, false, WEB.pos(7, 14)),
                    new PathRule("/opt/app", FsAccess.READ_FILE, true, WEB.pos(9, 14))),
            List.of(
                    new PortRule(NetAccess.CONNECT_TCP, 80, WEB.pos(12, 13)),
                    new PortRule(NetAccess.CONNECT_TCP, 443, WEB.pos(12, 17))),
            Compat.BEST_EFFORT);

    @Test
    void describeShowsEveryRightAndRule() {
        assertEquals(
                List.of(
                        "landlock: file system (4 rights, 2 path rules), network (bind, connect by TCP port), scope (signal);"
                                + " Landlock ABI 6+, best-effort",
                        "  file system confined: execute, write_file, read_file, read_dir",
                        "  allow /usr: execute, read_file, read_dir (web.yaml:7)",
                        "  allow /opt/app if it exists: read_file (web.yaml:9)",
                        "  network: bind tcp on no port",
                        "  network: connect tcp 80, 443",
                        "  scope: signal",
                        "  not Landlock's: chmod, chown, utime, xattr changes and ioctl on regular files (seccomp and supervise rules)"),
                RulesetText.describe(WEB_RULES));
    }

    @Test
    void everyRightAndNoRules() {
        LandlockRuleset r = new LandlockRuleset(FsAccess.ALL, 0, 0, List.of(), List.of(), Compat.REQUIRED);
        assertEquals(
                List.of(
                        "landlock: file system (every right, 0 path rules); Landlock ABI 5+, required",
                        "  file system confined: execute, write_file, read_file, read_dir, remove_dir, remove_file, make_char,"
                                + " make_dir, make_reg, make_sock, make_fifo, make_block, make_sym, refer, truncate, ioctl_dev",
                        "  no path rules: every right above is denied everywhere",
                        "  not Landlock's: chmod, chown, utime, xattr changes and ioctl on regular files (seccomp and supervise rules)"),
                RulesetText.describe(r));
        LandlockRuleset scopeOnly = new LandlockRuleset(0, 0, Scope.ALL, List.of(), List.of(), Compat.REQUIRED);
        assertEquals(
                List.of(
                        "landlock: scope (abstract_unix_socket, signal); Landlock ABI 6+, required",
                        "  scope: abstract_unix_socket, signal"),
                RulesetText.describe(scopeOnly));
    }

    @Test
    void noneSaysSo() {
        assertEquals(
                List.of("landlock: none (no filesystem, network or scope section)"),
                RulesetText.describe(LandlockRuleset.NONE));
    }

    @Test
    void jsonHasNamesMasksRulesCompatAndAbi() {
        assertEquals("""
                {
                    "abi": 6,
                    "compat": "best-effort",
                    "fs": {"names": ["execute", "write_file", "read_file", "read_dir"], "mask": "0xf"},
                    "net": {"names": ["bind_tcp", "connect_tcp"], "mask": "0x3"},
                    "scope": {"names": ["signal"], "mask": "0x2"},
                    "paths": [
                      {"path": "/usr", "access": ["execute", "read_file", "read_dir"], "mask": "0xd", "optional": false, "source": "web.yaml:7"},
                      {"path": "/opt/app", "access": ["read_file"], "mask": "0x4", "optional": true, "source": "web.yaml:9"}
                    ],
                    "ports": [
                      {"port": 80, "access": ["connect_tcp"], "mask": "0x2", "source": "web.yaml:12"},
                      {"port": 443, "access": ["connect_tcp"], "mask": "0x2", "source": "web.yaml:12"}
                    ]
                  }""", RulesetJson.toJson(WEB_RULES, "  "));
        assertEquals(
                "{\n  \"abi\": 0,\n  \"compat\": \"required\",\n  \"fs\": {\"names\": [], \"mask\": \"0x0\"},\n"
                        + "  \"net\": {\"names\": [], \"mask\": \"0x0\"},\n  \"scope\": {\"names\": [], \"mask\": \"0x0\"},\n"
                        + "  \"paths\": [],\n  \"ports\": []\n}",
                RulesetJson.toJson(LandlockRuleset.NONE, ""));
    }
}
