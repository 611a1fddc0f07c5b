package io.wharf.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.wharf.core.config.ConfigException;
import io.wharf.core.config.PollerSettings;
import io.wharf.core.config.RelaySettings;
import io.wharf.core.config.WebhookRouteSettings;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.kafka.UnknownTopicException;
import io.wharf.relay.http.RelayHttpClient;
import io.wharf.relay.poller.Poller;
import io.wharf.relay.webhook.WebhookRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay: a front door without an endpoint. It runs every configured webhook route (Kafka to
 * HTTP) and poller (HTTP to Kafka) over one shared HTTP client on the gateway's event loops.
 */
public final class RelayFrontDoor implements FrontDoor {
    private static final Logger LOG = LoggerFactory.getLogger(RelayFrontDoor.class);

    private final GatewayContext context;
    private final RelaySettings settings;
    private final List<WebhookRoute> routes = new ArrayList<>();
    private final List<Poller> pollers = new ArrayList<>();
    private RelayHttpClient http;

    RelayFrontDoor(GatewayContext context) {
        this.context = context;
        this.settings = context.config().relay();
    }

    @Override
    public List<Endpoint> start() throws Exception {
        checkTopics();
        String instanceId = InstanceId.of(context.config());
        int maxIdle = (int) Math.min(20_000, settings.routes().stream().mapToLong(WebhookRouteSettings::maxInFlight).sum()
                + settings.pollers().size());
        http = new RelayHttpClient(context.network().workers(), context.network().clientChannel(), Math.max(1, maxIdle));
        try {
            for (WebhookRouteSettings r : settings.routes()) {
                WebhookRoute route = new WebhookRoute(r, context.kafka(), http, instanceId, context.metrics().registry());
                routes.add(route);
                route.start();
            }
            for (PollerSettings p : settings.pollers()) {
                Poller poller = new Poller(p, context.kafka(), http, instanceId, context.metrics().registry());
                pollers.add(poller);
                poller.start();
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        LOG.info("Relay started: {} route(s) {}, {} poller(s) {}, instance {}", routes.size(),
                routes.stream().map(WebhookRoute::name).toList(), pollers.size(),
                settings.pollers().stream().map(PollerSettings::name).toList(), instanceId);
        return List.of();
    }

    /** Output topics must exist (a transaction cannot wait for them); missing source topics are only a warning. */
    private void checkTopics() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < settings.routes().size(); i++) {
            WebhookRouteSettings r = settings.routes().get(i);
            String key = "relay.routes[" + i + "]";
            exists(problems, key + ".dead-letter-topic", r.deadLetterTopic(), true);
            if (r.responseTopic() != null) {
                exists(problems, key + ".response-topic", r.responseTopic(), true);
            }
            for (int t = 0; t < r.topics().size(); t++) {
                exists(problems, key + ".topics[" + t + "]", r.topics().get(t), false);
            }
        }
        for (int i = 0; i < settings.pollers().size(); i++) {
            exists(problems, "relay.pollers[" + i + "].topic", settings.pollers().get(i).topic(), true);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid configuration: " + String.join("; ", problems));
        }
    }

    private void exists(List<String> problems, String key, String topic, boolean required) throws InterruptedException {
        try {
            context.kafka().topic(topic).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicException) {
                if (required) {
                    problems.add(key + ": topic '" + topic + "' does not exist (create it first)");
                } else {
                    LOG.warn("event=relay-source-topic-missing key={} topic={} action=relay-it-once-it-exists", key, topic);
                }
            } else {
                problems.add(key + ": cannot describe topic '" + topic + "': " + e.getCause().getMessage());
            }
        } catch (TimeoutException e) {
            problems.add(key + ": Kafka did not describe topic '" + topic + "' within 30s");
        }
    }

    /** Stops every route and poller: each stops dispatching, drains (bounded), commits and leaves its group. */
    @Override
    public void close() {
        // routes drain in parallel: shutdown takes one drain timeout, not one per route
        List<Thread> closing = new ArrayList<>();
        for (WebhookRoute route : routes) {
            Thread t = new Thread(route::close, "wharf-relay-close-" + route.name());
            t.start();
            closing.add(t);
        }
        for (Poller poller : pollers) {
            Thread t = new Thread(poller::close, "wharf-poller-close");
            t.start();
            closing.add(t);
        }
        for (Thread t : closing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (http != null) {
            http.close();
        }
        LOG.info("Relay stopped");
    }
}
