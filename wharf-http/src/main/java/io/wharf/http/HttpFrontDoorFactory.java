package io.wharf.http;

import io.wharf.core.gateway.DeclaredFrontDoorFactory;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;

/** Registers the HTTP front door with the gateway. */
public final class HttpFrontDoorFactory extends DeclaredFrontDoorFactory<HttpSettings> {
    public HttpFrontDoorFactory() {
        super("http", 10, HttpSettings.class);
    }

    @Override
    protected boolean enabled(HttpSettings settings) {
        return settings.enabled();
    }

    @Override
    protected FrontDoor door(GatewayContext context) {
        return new HttpFrontDoor(context);
    }
}
