package io.wharf.core.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.wharf.core.config.WharfConfig;
import io.wharf.core.hub.KafkaTopicHub;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.metrics.WharfMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Wharf in front of a Kafka cluster: shared Kafka clients, the topic hub, metrics, event
 * loops, and every front door found on the class path. Start-up fails fast and leaves nothing running.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final GatewayContext context;
    private final List<FrontDoor> doors;
    private final List<Endpoint> endpoints;
    private final List<AutoCloseable> resources;
    private volatile boolean closed;

    private Gateway(GatewayContext context, List<FrontDoor> doors, List<Endpoint> endpoints,
                    List<AutoCloseable> resources) {
        this.context = context;
        this.doors = doors;
        this.endpoints = endpoints;
        this.resources = resources;
    }

    /**
     * Connects to the cluster in {@code config.bootstrapServers()}, waits until it answers, then
     * starts every front door. On any failure everything already started is stopped again.
     *
     * @throws io.wharf.core.kafka.KafkaUnavailableException when Kafka does not answer in time
     * @throws PortInUseException                           when a front door's port is taken
     */
    public static Gateway start(WharfConfig config) {
        Objects.requireNonNull(config.bootstrapServers(), "the gateway needs bootstrap servers");
        List<AutoCloseable> resources = new ArrayList<>();
        List<FrontDoor> started = new ArrayList<>();
        try {
            WharfMetrics metrics = new WharfMetrics();
            resources.add(metrics);
            KafkaAccess kafka = KafkaAccess.create(config.bootstrapServers(), config.kafka(), metrics.registry());
            resources.add(kafka);
            kafka.awaitCluster(config.kafka().startupTimeout());
            // added after Kafka, so closed after the front doors and before the Kafka clients
            KafkaTopicHub hub = KafkaTopicHub.start(kafka, config.hub(), metrics.registry());
            resources.add(hub);
            NetworkThreads network = new NetworkThreads(config.ioThreads());
            resources.add(network);
            Readiness readiness = new Readiness(kafka);
            GatewayContext context = new GatewayContext(config, kafka, hub, metrics, network, readiness);
            resources.add(context.credentials());

            List<Endpoint> endpoints = new ArrayList<>();
            for (FrontDoorFactory<?> factory : FrontDoors.onClassPath()) {
                Optional<FrontDoor> door = factory.create(context);
                if (door.isEmpty()) {
                    LOG.info("front door {} is disabled", factory.name());
                    continue;
                }
                started.add(door.get());
                endpoints.addAll(door.get().start());
            }
            readiness.markListenersUp();
            return new Gateway(context, List.copyOf(started), List.copyOf(endpoints), resources);
        } catch (RuntimeException e) {
            stopAll(started, resources);
            throw e;
        } catch (Exception e) {
            stopAll(started, resources);
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** What every front door shares. */
    public GatewayContext context() {
        return context;
    }

    /** Every listening endpoint, in start order. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** The endpoint with this name. */
    public Endpoint endpoint(String name) {
        return endpoints.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no endpoint named " + name + " in " + endpoints));
    }

    /** Drains and stops every front door (in reverse start order), then the event loops, the hub, and the Kafka clients. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.readiness().markStopping();
        stopAll(new ArrayList<>(doors), resources);
    }

    private static void stopAll(List<FrontDoor> doors, List<AutoCloseable> resources) {
        for (int i = doors.size() - 1; i >= 0; i--) {
            try {
                doors.get(i).close();
            } catch (RuntimeException e) {
                LOG.warn("event=front-door-stop-failed door={} error=\"{}\"", doors.get(i).getClass().getSimpleName(),
                        e.getMessage());
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("event=resource-stop-failed resource={} error=\"{}\"",
                        resources.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
