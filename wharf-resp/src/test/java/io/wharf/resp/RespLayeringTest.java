package io.wharf.resp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The door's packages form layers: protocol, config and metrics at the bottom, consume and produce
 * on them, commands on those, the server on top; commands see the server only through the
 * interfaces of {@code command}.
 */
class RespLayeringTest {
    private static JavaClasses resp;

    @BeforeAll
    static void importClasses() {
        resp = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.wharf.resp");
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.wharf.resp.(*)..").should().beFreeOfCycles().check(resp);
    }

    @Test
    void commandsDoNotDependOnTheServer() {
        noClasses().that().resideInAPackage("io.wharf.resp.command..")
                .should().dependOnClassesThat().resideInAPackage("io.wharf.resp.server..")
                .because("the server implements what commands see, never the reverse")
                .check(resp);
    }

    @Test
    void lowerPackagesDependOnNoneAboveThem() {
        noClasses().that().resideInAnyPackage("io.wharf.resp.protocol..", "io.wharf.resp.config..",
                        "io.wharf.resp.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage("io.wharf.resp.consume..", "io.wharf.resp.produce..",
                        "io.wharf.resp.command..", "io.wharf.resp.server..")
                .check(resp);
        noClasses().that().resideInAnyPackage("io.wharf.resp.consume..", "io.wharf.resp.produce..")
                .should().dependOnClassesThat().resideInAnyPackage("io.wharf.resp.command..", "io.wharf.resp.server..")
                .check(resp);
    }
}
