package io.wharf.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one process) whose data lives
 * under a directory of its own and survives restarts.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final String host;
    private final int port;
    private final Path logDir;

    private EmbeddedKafka(KafkaRaftServer server, String host, int port, Path logDir) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.logDir = logDir;
    }

    /**
     * Formats the log directory on first use, then starts the broker and returns once it serves
     * requests.
     *
     * @throws PortInUseException when the requested port is taken
     * @throws EmbeddedKafkaException for any other start-up failure, with a one-line reason
     */
    public static EmbeddedKafka start(EmbeddedKafkaSettings settings) {
        Path logDir = settings.logDir().toAbsolutePath();
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot create Kafka data directory " + logDir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(logDir)) {
            throw new EmbeddedKafkaException("Kafka data directory " + logDir + " is not writable", null);
        }
        int port = settings.port() == 0 ? freePort(settings.bindAddress()) : settings.port();
        ensurePortFree(settings.bindAddress(), port);
        int controllerPort = freePort("127.0.0.1");
        String advertisedHost = settings.advertisedHost() != null ? settings.advertisedHost()
                : advertisedHostFor(settings.bindAddress());

        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(NODE_ID));
        // A static voter set keeps the controller's port out of the metadata log, so a restart may pick a new one.
        props.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listeners", "PLAINTEXT://" + settings.bindAddress() + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + port);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("auto.create.topics.enable", String.valueOf(settings.autoCreateTopics()));
        props.put("num.partitions", String.valueOf(settings.defaultPartitions()));
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "4");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's default 128 MB dedupe buffer fails a small heap at start.
        props.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        props.put("log.cleaner.backoff.ms", "1000");
        props.put("log.retention.check.interval.ms", "5000");
        props.putAll(settings.overrides());

        KafkaConfig config;
        try {
            config = KafkaConfig.fromProps(props, false);
        } catch (RuntimeException e) {
            throw new EmbeddedKafkaException("invalid embedded Kafka setting: " + e.getMessage(), e);
        }
        formatOnce(logDir);

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            safeShutdown(server);
            throw translate(e, settings.bindAddress(), port, logDir);
        }
        LOG.info("embedded Kafka started at {}:{} with data in {}", advertisedHost, port, logDir);
        return new EmbeddedKafka(server, advertisedHost, port, logDir);
    }

    private static void formatOnce(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // formatted by an earlier start; a new cluster id would be refused
        }
        try {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .setUnstableFeatureVersionsEnabled(false)
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new EmbeddedKafkaException("cannot format Kafka data directory " + logDir + ": " + e.getMessage(), e);
        }
    }

    private static RuntimeException translate(RuntimeException e, String bind, int port, Path logDir) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return new PortInUseException("kafka", bind, port);
            }
            if (String.valueOf(t.getMessage()).contains("Failed to acquire lock")) {
                return new EmbeddedKafkaException("Kafka data directory " + logDir
                        + " is in use by another process (is another Wharf running with this --data-dir?)", e);
            }
        }
        return new EmbeddedKafkaException("embedded Kafka failed to start: " + e.getMessage(), e);
    }

    private static void ensurePortFree(String bind, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bind, port));
        } catch (BindException e) {
            throw new PortInUseException("kafka", bind, port);
        } catch (IOException e) {
            throw new EmbeddedKafkaException("cannot listen on " + bind + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static int freePort(String bind) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(bind))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + bind, e);
        }
    }

    private static String advertisedHostFor(String bind) {
        try {
            InetAddress address = InetAddress.getByName(bind);
            if (address.isAnyLocalAddress()) {
                return InetAddress.getLocalHost().getCanonicalHostName();
            }
        } catch (IOException e) {
            // fall through: advertise what the user asked to bind
        }
        return bind;
    }

    private static void safeShutdown(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException ignored) {
            // start-up already failed; the original failure is what the user needs to see
        }
    }

    /** Host clients should use, as advertised by the broker. */
    public String host() {
        return host;
    }

    /** The broker's client port (the real one when port 0 was asked for). */
    public int port() {
        return port;
    }

    /** {@code host:port}, usable as {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return host + ":" + port;
    }

    /** Where the broker keeps its logs and metadata. */
    public Path logDir() {
        return logDir;
    }

    /** Stops the broker and waits until it has released its files and ports. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("embedded Kafka stopped");
    }
}
