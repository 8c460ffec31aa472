package dev.syscage.policy.validate;

import dev.syscage.policy.parse.PolicyDocument;
import java.util.List;

/**
 * One policy file read during loading, with the keys of the files it includes (including ones
 * read earlier through another path, so the include graph is complete).
 */
record LoadedFile(Origin origin, PolicyDocument doc, List<String> includeKeys) {
    LoadedFile {
        includeKeys = List.copyOf(includeKeys);
    }

    String key() {
        return origin.key();
    }
}
