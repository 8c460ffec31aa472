package dev.syscage.policy.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void defaultsReadTheProfilePathProperty() {
        String old = System.getProperty(LoadOptions.PROFILE_PATH_PROPERTY);
        try {
            System.setProperty(LoadOptions.PROFILE_PATH_PROPERTY, "/etc/syscage/profiles::/opt/p");
            assertEquals(
                    List.of(Path.of("/etc/syscage/profiles"), Path.of("/opt/p")),
                    LoadOptions.defaults().profileDirs());
            System.clearProperty(LoadOptions.PROFILE_PATH_PROPERTY);
            assertEquals(new LoadOptions(List.of(), List.of()), LoadOptions.defaults());
        } finally {
            if (old == null) {
                System.clearProperty(LoadOptions.PROFILE_PATH_PROPERTY);
            } else {
                System.setProperty(LoadOptions.PROFILE_PATH_PROPERTY, old);
            }
        }
    }
}
