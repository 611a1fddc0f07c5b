package io.wharf.http;

import java.util.Optional;

import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.FrontDoorFactory;
import io.wharf.core.gateway.GatewayContext;

/** Registers the HTTP front door with the gateway. */
public final class HttpFrontDoorFactory implements FrontDoorFactory<HttpSettings> {
    @Override
    public String name() {
        return "http";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public Class<HttpSettings> settingsType() {
        return HttpSettings.class;
    }

    @Override
    public Optional<FrontDoor> create(GatewayContext context) {
        return context.config().section(HttpSettings.class).enabled() ? Optional.of(new HttpFrontDoor(context)) : Optional.empty();
    }
}
