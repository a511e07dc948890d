package dev.bedrockjobs.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The package structure the README describes, held by the build: which package may import which, and no cycle
 * among them. Read bottom up: {@code domain} (records and rules), {@code model} (model families, codecs, prices),
 * {@code port} (what the services need from the outside), {@code view} (what clients see), the services
 * ({@code api}, {@code work}, {@code webhook}, {@code admin}, {@code cost}), and {@code adapter}, which implements
 * the ports with AWS. Lambda's event types live outside core altogether.
 */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bedrockjobs.core");

    private static final String[] LIBRARIES = {"java..", "com.fasterxml.jackson.."};

    @Test
    void noPackageOfCoreIsInACycle() {
        ArchRule rule = slices().matching("dev.bedrockjobs.core.(*)..").should().beFreeOfCycles();
        rule.check(CORE);
    }

    @Test
    void theDomainImportsNothingButItselfAndTheJdkAndJackson() {
        classes()
                .that()
                .resideInAPackage("..core.domain..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(with(LIBRARIES, "..core.domain.."))
                .check(CORE);
    }

    @Test
    void portsNameOnlyDomainTypes() {
        classes()
                .that()
                .resideInAPackage("..core.port..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(with(LIBRARIES, "..core.port..", "..core.domain.."))
                .check(CORE);
    }

    @Test
    void viewsDependOnlyOnTheDomain() {
        classes()
                .that()
                .resideInAPackage("..core.view..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(with(LIBRARIES, "..core.view..", "..core.domain.."))
                .check(CORE);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("domain")
                .definedBy("..core.domain..")
                .layer("model")
                .definedBy("..core.model..")
                .layer("port")
                .definedBy("..core.port..")
                .layer("view")
                .definedBy("..core.view..")
                .layer("services")
                .definedBy("..core.api..", "..core.work..", "..core.webhook..", "..core.admin..", "..core.cost..")
                .layer("adapter")
                .definedBy("..core.adapter..")
                .whereLayer("services")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("adapter")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("view")
                .mayOnlyBeAccessedByLayers("services")
                .whereLayer("port")
                .mayOnlyBeAccessedByLayers("services", "adapter")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("port", "services", "adapter")
                .check(CORE);
    }

    @Test
    void coreKnowsNoLambdaType() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.amazonaws.services.lambda..")
                .check(CORE);
    }

    @Test
    void servicesReachAwsOnlyThroughAdapters() {
        noClasses()
                .that()
                .resideOutsideOfPackage("..core.adapter..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("software.amazon.awssdk..")
                .check(CORE);
    }

    private static String[] with(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
