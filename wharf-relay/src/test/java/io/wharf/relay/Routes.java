package io.wharf.relay;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import io.wharf.relay.config.RetrySettings;
import io.wharf.relay.config.WebhookRouteSettings;

/**
 * Route settings for tests: a route with every option at its default, options set one at a time by
 * their {@link WebhookRouteSettings} component name (an unknown name or a wrong type fails the test).
 */
final class Routes {
    private static final RecordComponent[] COMPONENTS = WebhookRouteSettings.class.getRecordComponents();

    private final Object[] values = new Object[COMPONENTS.length];

    private Routes() {
    }

    static Routes route(String name, String topic, URI url, String deadLetterTopic) {
        return new Routes().with("name", name).with("topics", List.of(topic)).with("url", url)
                .with("deadLetterTopic", deadLetterTopic);
    }

    /** Sets the option named like the settings' component, e.g. {@code with("maxInFlight", 50)}. */
    Routes with(String component, Object value) {
        for (int i = 0; i < COMPONENTS.length; i++) {
            if (COMPONENTS[i].getName().equals(component)) {
                values[i] = value;
                return this;
            }
        }
        throw new IllegalArgumentException("no route option " + component);
    }

    Routes retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        return with("retry", new RetrySettings(maxAttempts, null, initialBackoff, maxBackoff, null, null));
    }

    WebhookRouteSettings build() {
        Class<?>[] types = Arrays.stream(COMPONENTS).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return WebhookRouteSettings.class.getDeclaredConstructor(types).newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
