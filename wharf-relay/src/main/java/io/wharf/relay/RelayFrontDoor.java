package io.wharf.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.wharf.core.config.ConfigException;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.FrontDoor;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.kafka.InternalTopicException;
import io.wharf.core.kafka.UnknownTopicException;
import io.wharf.relay.config.PollerSettings;
import io.wharf.relay.config.RelaySettings;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.relay.http.RelayHttpClient;
import io.wharf.relay.poller.Poller;
import io.wharf.relay.webhook.WebhookRoute;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
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
        this.settings = context.config().section(RelaySettings.class);
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

    /**
     * Output topics must exist before a transaction writes to them: missing ones are created with
     * the cluster's defaults (so an embedded broker needs no preparation), and a failure to create
     * one stops the start naming its key. A missing source topic is only a warning.
     */
    private void checkTopics() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < settings.routes().size(); i++) {
            WebhookRouteSettings r = settings.routes().get(i);
            String key = "relay.routes[" + i + "]";
            output(problems, key + ".dead-letter-topic", r.deadLetterTopic());
            if (r.responseTopic() != null) {
                output(problems, key + ".response-topic", r.responseTopic());
            }
            for (int t = 0; t < r.topics().size(); t++) {
                String topic = r.topics().get(t);
                if (describe(problems, key + ".topics[" + t + "]", topic) == Presence.MISSING) {
                    LOG.warn("event=relay-source-topic-missing key={}.topics[{}] topic={} action=relay-it-once-it-exists",
                            key, t, topic);
                }
            }
        }
        for (int i = 0; i < settings.pollers().size(); i++) {
            output(problems, "relay.pollers[" + i + "].topic", settings.pollers().get(i).topic());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid configuration: " + String.join("; ", problems));
        }
    }

    private enum Presence { PRESENT, MISSING, UNKNOWN }

    private void output(List<String> problems, String key, String topic) throws InterruptedException {
        if (describe(problems, key, topic) != Presence.MISSING) {
            return;
        }
        try {
            context.kafka().admin().createTopics(List.of(new NewTopic(topic, Optional.empty(), Optional.empty())))
                    .all().get(30, TimeUnit.SECONDS);
            // the relay's transactional producers write here at once (KafkaAccess#awaitWritable says why)
            context.kafka().awaitWritable(topic, Duration.ofSeconds(30)).get(35, TimeUnit.SECONDS);
            LOG.info("relay created the missing topic {} ({}) with the cluster's default partitions and replication",
                    topic, key);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                problems.add(key + ": topic '" + topic + "' does not exist and cannot be created: "
                        + e.getCause().getMessage());
            }
        } catch (TimeoutException e) {
            problems.add(key + ": topic '" + topic + "' does not exist and Kafka did not create it within 30s");
        }
        context.kafka().forgetTopic(topic);
    }

    private Presence describe(List<String> problems, String key, String topic) throws InterruptedException {
        try {
            context.kafka().topic(topic).get(30, TimeUnit.SECONDS);
            return Presence.PRESENT;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicException) {
                return Presence.MISSING;
            }
            if (e.getCause() instanceof InternalTopicException) {
                // a route or poller on __consumer_offsets and the like: kafka.allow-internal-topics is off
                problems.add(key + ": " + e.getCause().getMessage());
                return Presence.UNKNOWN;
            }
            problems.add(key + ": cannot describe topic '" + topic + "': " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            problems.add(key + ": Kafka did not describe topic '" + topic + "' within 30s");
        }
        return Presence.UNKNOWN;
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
