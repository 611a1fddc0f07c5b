package io.wharf.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.hub.TopicHub;

/** The gateway's topic hub, or a 503 {@code hub_unavailable} for hub routes when a gateway runs without one. */
final class HubAccess {
    private final TopicHub hub;

    HubAccess(GatewayContext context) {
        this.hub = context.hub();
    }

    /** The hub, or an {@link ApiError} 503 when this gateway has none. */
    TopicHub hub() {
        if (hub == null) {
            throw new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "hub_unavailable",
                    "this gateway runs without the topic hub, so hub subscriptions are not available");
        }
        return hub;
    }
}
