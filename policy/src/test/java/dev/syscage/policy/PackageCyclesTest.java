package dev.syscage.policy;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.syscage.policy.cyclefixture.b.Leaf;
import dev.syscage.policy.cyclefixture.c.User;
import org.junit.jupiter.api.Test;

/**
 * No package of the policy compiler depends, directly or through others, on a package that
 * depends on it: each stage sits above the ones it uses (docs/compiler.md, "Packages"). Checked
 * on the compiled classes, every package its own slice, so a cycle between two subpackages is
 * caught as well as one between two stages.
 */
class PackageCyclesTest {
    private static final ArchRule NO_CYCLES =
            slices().matching("dev.syscage.policy.(**)").should().beFreeOfCycles();

    @Test
    void policyPackagesAreFreeOfCycles() {
        JavaClasses main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.syscage.policy");
        assertTrue(main.size() > 100, "the policy classes were found: " + main.size());
        NO_CYCLES.check(main);
    }

    /** The rule sees a cycle where there is one: two test packages that use each other. */
    @Test
    void aCycleIsReported() {
        JavaClasses fixture = new ClassFileImporter().importPackages("dev.syscage.policy.cyclefixture");
        EvaluationResult result = NO_CYCLES.evaluate(fixture);
        assertTrue(result.hasViolation());
        String report = result.getFailureReport().toString();
        assertTrue(report.contains("cyclefixture.a") && report.contains("cyclefixture.b"), report);
    }

    /** A dependency one way between two packages passes: the rule does not fail on everything. */
    @Test
    void aOneWayDependencyIsNotACycle() {
        JavaClasses fixture = new ClassFileImporter().importClasses(User.class, Leaf.class);
        assertFalse(NO_CYCLES.evaluate(fixture).hasViolation());
    }
}
