package io.wharf.relay;

import io.wharf.core.gateway.DeclaredFrontDoorFactory;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.relay.config.RelaySettings;

/** Registers the relay with the gateway; disabled when no route and no poller is configured. */
public final class RelayFrontDoorFactory extends DeclaredFrontDoorFactory<RelaySettings> {
    public RelayFrontDoorFactory() {
        // order 200, after the listening doors: the relay has no endpoint, and stops first
        super("relay", 200, RelaySettings.class);
    }

    @Override
    protected boolean enabled(RelaySettings settings) {
        return !settings.isEmpty();
    }

    @Override
    protected FrontDoor door(GatewayContext context) {
        return new RelayFrontDoor(context);
    }
}
