package io.wharf.server;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.wharf.core.config.EmbeddedSettings;
import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.config.ConfigException;
import io.wharf.core.gateway.Endpoint;
import io.wharf.core.gateway.Gateway;
import io.wharf.core.gateway.PortInUseException;
import io.wharf.core.kafka.KafkaUnavailableException;
import io.wharf.kafka.embedded.EmbeddedKafka;
import io.wharf.kafka.embedded.EmbeddedKafkaException;
import io.wharf.kafka.embedded.EmbeddedSecurity;
import io.wharf.kafka.embedded.EmbeddedKafkaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One Wharf process: the embedded broker when no cluster is configured, and the gateway in front of Kafka. */
public final class WharfServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WharfServer.class);

    private final DataDirectoryLock dataDirLock;
    private final EmbeddedKafka broker;
    private final Gateway gateway;
    private final List<Endpoint> endpoints;
    private boolean closed;

    private WharfServer(DataDirectoryLock dataDirLock, EmbeddedKafka broker, Gateway gateway, List<Endpoint> endpoints) {
        this.dataDirLock = dataDirLock;
        this.broker = broker;
        this.gateway = gateway;
        this.endpoints = endpoints;
    }

    /**
     * Starts the broker (if embedded) and the gateway. On failure everything started is stopped and
     * a {@link StartupException} carries one line saying why.
     *
     * @param progress where to print progress lines for slow steps
     */
    public static WharfServer start(WharfConfig config, Consumer<String> progress) {
        // before anything else touches the directory: a second Wharf on it must not start its broker
        DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDir());
        EmbeddedKafka broker = null;
        try {
            WharfConfig effective = config;
            if (config.embeddedKafka()) {
                Path logDir = config.dataDir().resolve("kafka");
                progress.accept("Starting embedded Kafka (data in " + logDir + ") ...");
                EmbeddedSettings embedded = config.embedded();
                broker = EmbeddedKafka.start(new EmbeddedKafkaSettings(logDir, config.bind(), config.kafkaPort(),
                        embedded.advertisedHost(), embedded.autoCreateTopics(), embedded.partitions(),
                        embedded.properties(), embedded.secured()
                                ? new EmbeddedSecurity(embedded.users(), List.of(embedded.adminUser())) : null));
                effective = config.withBootstrapServers(broker.bootstrapServers());
                if (embedded.secured()) {
                    effective = effective.withKafka(connectingAs(broker, embedded.kafkaUser(), config.kafka()));
                }
            } else {
                progress.accept("Connecting to Kafka at " + config.bootstrapServers() + " ...");
            }
            Gateway gateway = Gateway.start(effective);
            List<Endpoint> endpoints = new ArrayList<>(gateway.endpoints());
            if (broker != null) {
                endpoints.add(new Endpoint("kafka", broker.host(), broker.port(), "(embedded)"));
            } else {
                endpoints.add(new Endpoint("kafka", config.bootstrapServers().split(",")[0].trim()
                        .replaceFirst(":\\d+$", ""), port(config.bootstrapServers()), "(external)"));
            }
            return new WharfServer(lock, broker, gateway, endpoints);
        } catch (StartupException e) {
            closeQuietly(broker);
            lock.close();
            throw e;
        } catch (PortInUseException | EmbeddedKafkaException | KafkaUnavailableException | ConfigException e) {
            // ConfigException: what only a door's start can tell, e.g. a TLS key that does not match its certificate
            closeQuietly(broker);
            lock.close();
            throw new StartupException(e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(broker);
            lock.close();
            throw StartupException.unexpected(e, config.bootstrapServers());
        }
    }

    /**
     * Kafka settings reaching the secured embedded broker with SCRAM-SHA-512 over TLS as this user; what
     * the user's own {@code kafka.properties} set wins.
     */
    static KafkaSettings connectingAs(EmbeddedKafka broker, String user, KafkaSettings kafka) {
        Map<String, String> properties = new HashMap<>(broker.clientProperties(user, "SCRAM-SHA-512"));
        properties.putAll(kafka.properties());
        return new KafkaSettings(properties, kafka.producer(), kafka.consumer(), kafka.startupTimeout(),
                kafka.requestTimeout(), kafka.allowInternalTopics());
    }

    private static int port(String servers) {
        String first = servers.split(",")[0].trim();
        return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
    }

    private static void closeQuietly(EmbeddedKafka broker) {
        if (broker != null) {
            try {
                broker.close();
            } catch (RuntimeException e) {
                LOG.warn("event=embedded-kafka-stop-failed error=\"{}\"", e.getMessage());
            }
        }
    }

    /** The line printed once everything is up: {@code Wharf ready name=host:port ...}. */
    public String readyLine() {
        StringBuilder line = new StringBuilder("Wharf ready");
        endpoints.forEach(e -> line.append(' ').append(e));
        return line.toString();
    }

    /** Every endpoint, including Kafka's. */
    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /** The running gateway. */
    public Gateway gateway() {
        return gateway;
    }

    /** Drains the front doors, then stops the gateway and the embedded broker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping: draining front doors");
        gateway.close();
        closeQuietly(broker);
        dataDirLock.close();
        LOG.info("stopped");
    }
}
