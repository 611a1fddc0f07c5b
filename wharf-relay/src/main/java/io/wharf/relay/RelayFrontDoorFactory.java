package io.wharf.relay;

import java.util.Optional;

import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.FrontDoorFactory;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.relay.config.RelaySettings;

/** Registers the relay with the gateway; disabled when no route and no poller is configured. */
public final class RelayFrontDoorFactory implements FrontDoorFactory<RelaySettings> {
    @Override
    public String name() {
        return "relay";
    }

    @Override
    public int order() {
        // after the listening doors: the relay has no endpoint, and stops first
        return 200;
    }

    @Override
    public Class<RelaySettings> settingsType() {
        return RelaySettings.class;
    }

    @Override
    public Optional<FrontDoor> create(GatewayContext context) {
        return context.config().section(RelaySettings.class).isEmpty() ? Optional.empty() : Optional.of(new RelayFrontDoor(context));
    }
}
