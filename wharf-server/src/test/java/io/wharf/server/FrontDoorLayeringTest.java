package io.wharf.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.wharf.core.config.DoorSection;
import io.wharf.core.config.Section;
import io.wharf.core.gateway.FrontDoorFactory;
import io.wharf.core.gateway.FrontDoors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Front doors stand on core and never on each other; core has no network server code and knows no door's settings. */
class FrontDoorLayeringTest {
    private static JavaClasses wharf;

    @BeforeAll
    static void importClasses() {
        wharf = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.wharf");
    }

    private static void doorIsolated(String door, String... others) {
        noClasses().that().resideInAPackage("io.wharf." + door + "..")
                .should().dependOnClassesThat().resideInAnyPackage(others)
                .allowEmptyShould(true)
                .because("front doors depend on core, never on each other")
                .check(wharf);
    }

    @Test
    void frontDoorsDoNotImportEachOther() {
        doorIsolated("http", "io.wharf.resp..", "io.wharf.relay..", "io.wharf.server..");
        doorIsolated("resp", "io.wharf.http..", "io.wharf.relay..", "io.wharf.server..");
        doorIsolated("relay", "io.wharf.http..", "io.wharf.resp..", "io.wharf.server..");
    }

    @Test
    void coreKnowsNoFrontDoorAndServesNoProtocol() {
        noClasses().that().resideInAPackage("io.wharf.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.wharf.http..", "io.wharf.resp..",
                        "io.wharf.relay..", "io.wharf.server..", "io.wharf.kafka.embedded..", "io.netty.handler.codec..",
                        "io.netty.bootstrap..")
                .because("core holds the model, Kafka access and the hub; network servers live in front doors")
                .check(wharf);
    }

    @Test
    void coreNeverDependsOnADoorsSettings() {
        noClasses().that().resideInAPackage("io.wharf.core..")
                .should().dependOnClassesThat(JavaClass.Predicates.assignableTo(Section.class)
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAPackage("io.wharf.core.."))))
                .because("each door owns its settings; core binds them through the door's factory by type")
                .check(wharf);
    }

    @Test
    void everyDoorDeclaresItsSettingsInItsOwnModule() {
        for (FrontDoorFactory<?> factory : FrontDoors.onClassPath()) {
            String door = factory.getClass().getPackageName();
            assertThat(factory.settingsType().getPackageName()).as(factory.name()).startsWith(door);
            assertThat(factory.configKey()).as(factory.name()).isEqualTo(factory.name());
        }
        assertThat(FrontDoors.sections()).extracting(DoorSection::key).containsExactlyInAnyOrder("http", "resp", "relay");
    }

    @Test
    void theEmbeddedBrokerStandsAlone() {
        noClasses().that().resideInAPackage("io.wharf.kafka.embedded..")
                .should().dependOnClassesThat().resideInAPackage("io.wharf.core..")
                .check(wharf);
    }
}
