package io.wharf.resp;

import java.util.Optional;

import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.FrontDoorFactory;
import io.wharf.core.gateway.GatewayContext;

/** Registers the Redis-protocol front door with the gateway. */
public final class RespFrontDoorFactory implements FrontDoorFactory {
    @Override
    public String name() {
        return "resp";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public Optional<FrontDoor> create(GatewayContext context) {
        return context.config().resp().enabled() ? Optional.of(new RespFrontDoor(context)) : Optional.empty();
    }
}
