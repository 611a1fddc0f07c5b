package io.wharf.core.gateway;

import java.util.Optional;

import io.wharf.core.config.DoorSection;
import io.wharf.core.config.Section;

/**
 * Found through {@link java.util.ServiceLoader}: every front door module on the class path
 * registers one, so the gateway starts whatever doors are present without knowing them. A factory
 * also declares its door's section of the configuration file, a key and a settings type (a record
 * whose absent values take their defaults), which core binds and validates without knowing the door.
 *
 * @param <S> the door's settings type
 */
public interface FrontDoorFactory<S extends Section> {
    /** The door's name, as in the ready line. */
    String name();

    /** Doors start in ascending order and stop in reverse. */
    default int order() {
        return 100;
    }

    /** The key of the door's section in the configuration file. */
    default String configKey() {
        return name();
    }

    /** The type the door's section binds to; {@code context.config().section(type)} returns it. */
    Class<S> settingsType();

    /**
     * Where the section is printed and validated among the sections (core's {@code hub} sits at
     * {@link io.wharf.core.config.WharfConfig#HUB_SECTION_ORDER}).
     */
    default int sectionOrder() {
        return order();
    }

    /** The door's section of the configuration file. */
    default DoorSection<S> section() {
        return new DoorSection<>(configKey(), settingsType(), sectionOrder());
    }

    /** The door for this gateway, or empty when the configuration disables it. */
    Optional<FrontDoor> create(GatewayContext context);
}
