package dev.syscage.supervise.hooks;

import java.util.List;

/** Hooks that could not be loaded, every one of them named with what to do about it. */
public final class HookLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public HookLoadException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
