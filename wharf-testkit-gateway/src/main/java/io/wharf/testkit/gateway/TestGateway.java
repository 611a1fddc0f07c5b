package io.wharf.testkit.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AuthSettings;
import io.wharf.core.config.HubSettings;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.Section;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.Gateway;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-process gateway, every door on the class path listening on a free loopback port, in
 * front of the shared test broker (or another cluster). Tests build one, talk to its doors' endpoints
 * with real clients, and close it.
 *
 * <pre>{@code
 * try (TestGateway gateway = TestGateway.builder().with(HttpSettings.class, limits).start()) {
 *     int port = gateway.port("http");
 * }
 * }</pre>
 *
 * <p>Or, for one gateway shared by a class's tests, registered as an extension that starts it before
 * them and closes it after: {@code @RegisterExtension static final TestGateway gateway =
 * TestGateway.perClass(b -> b.auth(...));}
 */
public final class TestGateway implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private final Builder pending;
    private Gateway gateway;

    private TestGateway(Gateway gateway) {
        this.pending = null;
        this.gateway = gateway;
    }

    private TestGateway(Builder pending) {
        this.pending = pending;
    }

    /** For {@code @RegisterExtension}: a gateway with these settings, started before the class's tests. */
    public static TestGateway perClass(UnaryOperator<Builder> customize) {
        return new TestGateway(customize.apply(builder()));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        gateway = Gateway.start(pending.build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** A gateway with every default, in front of the shared test broker. */
    public static TestGateway start() {
        return builder().start();
    }

    /** A builder in front of the shared test broker, every listener on a free port. */
    public static Builder builder() {
        return new Builder();
    }

    /** The running gateway. */
    public Gateway gateway() {
        return gateway;
    }

    /** What the gateway shares with its doors (Kafka, hub, metrics, readiness, configuration). */
    public GatewayContext context() {
        return gateway.context();
    }

    /** Every door's endpoint, in start order. */
    public List<Endpoint> endpoints() {
        return gateway.endpoints();
    }

    /** The endpoint a door listens on, by the door's name ({@code resp}, {@code http}, ...). */
    public Endpoint endpoint(String door) {
        return gateway.endpoint(door);
    }

    /** The port a door listens on. */
    public int port(String door) {
        return endpoint(door).port();
    }

    /** The host a door listens on. */
    public String host(String door) {
        return endpoint(door).host();
    }

    /** Drains and stops every door and the gateway's clients; the broker keeps running. */
    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** Sets up a {@link TestGateway}: the common settings by name, anything else through {@link #config}. */
    public static final class Builder {
        private String bootstrapServers;
        private final Map<String, String> properties = new HashMap<>();
        private final Map<String, String> producer = new HashMap<>();
        private final Map<String, String> consumer = new HashMap<>();
        private Duration startupTimeout;
        private Duration requestTimeout;
        private Boolean allowInternalTopics;
        private final WharfConfig.Builder config = WharfConfig.builder().ephemeralPorts();

        private Builder() {
        }

        /** In front of this cluster instead of the shared broker. */
        public Builder kafka(TestKafka kafka) {
            return bootstrapServers(kafka.bootstrapServers());
        }

        /** In front of the cluster at these bootstrap servers instead of the shared broker. */
        public Builder bootstrapServers(String servers) {
            bootstrapServers = servers;
            return this;
        }

        /** Kafka client settings, replacing any property given before. */
        public Builder kafkaSettings(KafkaSettings settings) {
            properties.clear();
            producer.clear();
            consumer.clear();
            properties.putAll(settings.properties());
            producer.putAll(settings.producer());
            consumer.putAll(settings.consumer());
            startupTimeout = settings.startupTimeout();
            requestTimeout = settings.requestTimeout();
            allowInternalTopics = settings.allowInternalTopics();
            return this;
        }

        /** A Kafka client property for every client the gateway creates. */
        public Builder kafkaProperty(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** A property of the gateway's consumers only, e.g. {@code auto.offset.reset}. */
        public Builder consumerProperty(String key, String value) {
            consumer.put(key, value);
            return this;
        }

        /** A property of the gateway's shared producer only. */
        public Builder producerProperty(String key, String value) {
            producer.put(key, value);
            return this;
        }

        /** How long start-up waits for Kafka, and how long one admin or metadata request may take. */
        public Builder kafkaTimeouts(Duration startup, Duration request) {
            startupTimeout = startup;
            requestTimeout = request;
            return this;
        }

        /** A door's settings, by the type its factory declares. */
        public <S extends Section> Builder with(Class<S> type, S settings) {
            config.with(type, settings);
            return this;
        }

        /** A door's settings, changed from what was set so far (or the defaults). */
        public <S extends Section> Builder update(Class<S> type, UnaryOperator<S> change) {
            return with(type, change.apply(config.build().section(type)));
        }

        /** Credentials every door then requires. */
        public Builder auth(AuthSettings auth) {
            config.auth(auth);
            return this;
        }

        /** Access rules and per-principal limits every door then enforces. */
        public Builder access(AccessSettings access) {
            config.access(access);
            return this;
        }

        /** Topic hub settings. */
        public Builder hub(HubSettings hub) {
            config.hub(hub);
            return this;
        }

        /** Network threads shared by every door. */
        public Builder ioThreads(int threads) {
            config.ioThreads(threads);
            return this;
        }

        /** The gateway's data directory (the relay derives its instance id from it). */
        public Builder dataDir(Path dir) {
            config.dataDir(dir);
            return this;
        }

        /** Anything else a test needs to set. */
        public Builder config(UnaryOperator<WharfConfig.Builder> change) {
            change.apply(config);
            return this;
        }

        /** The configuration {@link #start()} starts with. */
        public WharfConfig build() {
            String servers = bootstrapServers != null ? bootstrapServers : SharedKafka.get().bootstrapServers();
            return config.bootstrapServers(servers)
                    .kafka(new KafkaSettings(properties, producer, consumer, startupTimeout, requestTimeout,
                            allowInternalTopics))
                    .build();
        }

        /** Starts the gateway and waits until every door listens. */
        public TestGateway start() {
            return new TestGateway(Gateway.start(build()));
        }
    }
}
