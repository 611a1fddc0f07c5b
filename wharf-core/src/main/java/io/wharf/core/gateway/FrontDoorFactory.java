package io.wharf.core.gateway;

import java.util.Optional;

/**
 * Found through {@link java.util.ServiceLoader}: every front door module on the class path
 * registers one, so the gateway starts whatever doors are present without knowing them.
 */
public interface FrontDoorFactory {
    /** The door's name, as in the ready line. */
    String name();

    /** Doors start in ascending order and stop in reverse. */
    default int order() {
        return 100;
    }

    /** The door for this gateway, or empty when the configuration disables it. */
    Optional<FrontDoor> create(GatewayContext context);
}
