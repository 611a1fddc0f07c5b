package io.wharf.http;

import java.lang.reflect.Method;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.hub.TopicHub;

/**
 * Finds the gateway's topic hub. The hub is wired into {@link GatewayContext} by the hub's own
 * module; looking it up here (rather than calling it directly) lets this door build and serve its
 * other routes against a core without it, answering hub routes with 503 {@code hub_unavailable}.
 */
final class HubAccess {
    private final TopicHub hub;

    HubAccess(GatewayContext context) {
        this.hub = find(context);
    }

    private static TopicHub find(GatewayContext context) {
        try {
            Method method = GatewayContext.class.getMethod("hub");
            Object hub = method.invoke(context);
            return hub instanceof TopicHub h ? h : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
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
