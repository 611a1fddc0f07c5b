package io.wharf.resp;

import java.util.Optional;

import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.FrontDoorFactory;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.resp.config.RespSettings;

/** Registers the Redis-protocol front door with the gateway. */
public final class RespFrontDoorFactory implements FrontDoorFactory<RespSettings> {
    @Override
    public String name() {
        return "resp";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public Class<RespSettings> settingsType() {
        return RespSettings.class;
    }

    @Override
    public int sectionOrder() {
        // printed before http, although it starts after it: the order the file has always had
        return 5;
    }

    @Override
    public Optional<FrontDoor> create(GatewayContext context) {
        return context.config().section(RespSettings.class).enabled() ? Optional.of(new RespFrontDoor(context)) : Optional.empty();
    }
}
