package dev.syscage.policy.validate;

import dev.syscage.policy.arch.Param;
import dev.syscage.policy.arch.Syscall;
import java.util.Map;
import java.util.Optional;

/**
 * The man-page names of a few parameters whose kernel names (the ones in the syscall tables)
 * differ, so that {@code request == TCGETS} works for ioctl as people write it. A syscall's own
 * parameter names always win; an alias is tried only when the syscall has no parameter of that
 * name.
 */
final class ParamAliases {
    /** Aliases for any syscall that has the target parameter: the *at calls' dirfd, socket's domain. */
    private static final Map<String, String> GENERAL = Map.of(
            "dirfd", "dfd",
            "domain", "family");

    /** Per-syscall aliases: man page name to kernel name. */
    private static final Map<String, Map<String, String>> BY_SYSCALL = Map.of(
            "ioctl", Map.of("request", "cmd"),
            "clone", Map.of("flags", "clone_flags"),
            "unshare", Map.of("flags", "unshare_flags"),
            "madvise", Map.of("advice", "behavior", "length", "len_in"),
            "dup", Map.of("oldfd", "fildes"));

    private ParamAliases() {}

    /** The parameter {@code name} means for {@code syscall}: its own, {@code argN}, or an alias's target. */
    static Optional<Param> param(Syscall syscall, String name) {
        Optional<Param> own = syscall.param(name);
        if (own.isPresent()) {
            return own;
        }
        String target = BY_SYSCALL.getOrDefault(syscall.name(), Map.of()).getOrDefault(name, GENERAL.get(name));
        return target == null ? Optional.empty() : syscall.param(target);
    }
}
