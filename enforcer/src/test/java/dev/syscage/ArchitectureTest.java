package dev.syscage;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.syscage.cli.Main;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The enforcer's package structure, checked on its compiled classes (not the tests): no package
 * depends on itself through others, so each can be read, moved and tested from the bottom up
 * (shared types in {@code dev.syscage.supervise}, the session that wires them above).
 */
class ArchitectureTest {
    private static final JavaClasses ENFORCER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(enforcerClasses());

    private static Path enforcerClasses() {
        try {
            return Path.of(Main.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.syscage.(**)").should().beFreeOfCycles().check(ENFORCER);
    }

    /**
     * JNA stays behind the libc-named interfaces of {@code nativeaccess}, so the supervisors take
     * interfaces a test can fake.
     */
    @Test
    void jnaOnlyInNativeAccess() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.syscage.nativeaccess..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.sun.jna..")
                .check(ENFORCER);
    }
}
