package dev.syscage.policy.load;

import dev.syscage.policy.parse.PolicyDocument;
import java.util.List;

/**
 * One policy file read during loading, with the keys of the files it includes (including ones
 * read earlier through another path, so the include graph is complete).
 */
public record LoadedFile(Origin origin, PolicyDocument doc, List<String> includeKeys, String key) {
    public LoadedFile {
        includeKeys = List.copyOf(includeKeys);
    }

    /**
     * The file and its key, worked out once: a file's key resolves its real path, a system call,
     * and the validator asks for it for every syscall every rule names.
     */
    LoadedFile(Origin origin, PolicyDocument doc, List<String> includeKeys) {
        this(origin, doc, includeKeys, origin.key());
    }
}
