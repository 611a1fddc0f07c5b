package io.wharf.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
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

    /** The broker's own identity on its internal and controller listeners (PLAIN, a new password every start). */
    static final String BROKER_USER = "wharf_broker";
    private static final int SCRAM_ITERATIONS = 4096;

    private final KafkaRaftServer server;
    private final String host;
    private final int port;
    private final Path logDir;
    private final EmbeddedSecurity security;
    private final BrokerTls tls;

    private EmbeddedKafka(KafkaRaftServer server, String host, int port, Path logDir, EmbeddedSecurity security,
                          BrokerTls tls) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.logDir = logDir;
        this.security = security;
        this.tls = tls;
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
        EmbeddedSecurity security = settings.security();
        BrokerTls tls = null;
        String brokerPassword = null;
        int internalPort = -1;
        if (security == null) {
            props.put("listeners", "PLAINTEXT://" + settings.bindAddress() + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + advertisedHost + ":" + port);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("inter.broker.listener.name", "PLAINTEXT");
        } else {
            if (security.users().containsKey(BROKER_USER)) {
                throw new EmbeddedKafkaException("user name '" + BROKER_USER + "' is the embedded broker's own", null);
            }
            tls = BrokerTls.prepare(tlsDir(logDir), new LinkedHashSet<>(List.of(advertisedHost, settings.bindAddress())));
            brokerPassword = BrokerTls.randomPassword();
            internalPort = freePort("127.0.0.1");
            securedListeners(props, settings.bindAddress(), port, advertisedHost, internalPort, controllerPort,
                    security, tls, brokerPassword);
        }
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
        if (security != null) {
            try {
                createUsers("127.0.0.1:" + internalPort, security, brokerPassword);
            } catch (RuntimeException e) {
                safeShutdown(server);
                throw e;
            }
        }
        LOG.info("embedded Kafka started at {}:{} ({}) with data in {}", advertisedHost, port,
                security == null ? "PLAINTEXT" : "SASL_SSL, SCRAM users " + security.users().keySet(), logDir);
        return new EmbeddedKafka(server, advertisedHost, port, logDir, security, tls);
    }

    /** Where a secured broker keeps its CA and certificate: next to its log directory, not in it. */
    static Path tlsDir(Path logDir) {
        return logDir.resolveSibling(logDir.getFileName() + "-tls");
    }

    /**
     * Clients use {@code SASL_SSL} (SCRAM); the broker reaches itself on {@code INTERNAL} and its
     * controller on {@code CONTROLLER}, both loopback-only SASL_PLAINTEXT with PLAIN as the broker's own
     * user, since SCRAM credentials live in the metadata log the controller listener must already work to read.
     */
    private static void securedListeners(Properties props, String bind, int port, String advertisedHost,
                                         int internalPort, int controllerPort, EmbeddedSecurity security,
                                         BrokerTls tls, String brokerPassword) {
        props.put("listeners", "SASL_SSL://" + bind + ":" + port + ",INTERNAL://127.0.0.1:" + internalPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "SASL_SSL://" + advertisedHost + ":" + port + ",INTERNAL://127.0.0.1:" + internalPort);
        props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        props.put("inter.broker.listener.name", "INTERNAL");
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512");
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + BROKER_USER
                + "\" password=\"" + brokerPassword + "\" user_" + BROKER_USER + "=\"" + brokerPassword + "\";";
        for (String listener : List.of("internal", "controller")) {
            props.put("listener.name." + listener + ".sasl.enabled.mechanisms", "PLAIN");
            props.put("listener.name." + listener + ".plain.sasl.jaas.config", plain);
        }
        props.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512");
        for (String mechanism : List.of("scram-sha-256", "scram-sha-512")) {
            props.put("listener.name.sasl_ssl." + mechanism + ".sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", tls.keystore().toString());
        props.put("ssl.keystore.password", tls.keystorePassword());
        props.put("ssl.key.password", tls.keystorePassword());
        props.put("ssl.protocol", "TLSv1.3");
        props.put("ssl.enabled.protocols", "TLSv1.3,TLSv1.2");
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("allow.everyone.if.no.acl.found", "false");
        StringBuilder superUsers = new StringBuilder("User:" + BROKER_USER);
        security.superUsers().forEach(u -> superUsers.append(";User:").append(u));
        props.put("super.users", superUsers.toString());
    }

    /**
     * Sets every user's SCRAM credentials (both mechanisms) through the internal listener as the
     * broker's super user, and waits until the broker itself knows them, so a client may log in as soon
     * as {@link #start} returns.
     */
    private static void createUsers(String internal, EmbeddedSecurity security, String brokerPassword) {
        if (security.users().isEmpty()) {
            return;
        }
        Map<String, Object> adminProps = new HashMap<>();
        adminProps.put("bootstrap.servers", internal);
        adminProps.put("security.protocol", "SASL_PLAINTEXT");
        adminProps.put("sasl.mechanism", "PLAIN");
        adminProps.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + BROKER_USER + "\" password=\"" + brokerPassword + "\";");
        try (Admin admin = Admin.create(adminProps)) {
            // one request per mechanism: Kafka refuses two alterations of one user in a request
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                List<UserScramCredentialAlteration> alterations = new ArrayList<>();
                security.users().forEach((user, password) -> alterations.add(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(mechanism, SCRAM_ITERATIONS), password)));
                admin.alterUserScramCredentials(alterations).all().get(60, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                Map<String, UserScramCredentialsDescription> known = admin.describeUserScramCredentials().all()
                        .get(30, TimeUnit.SECONDS);
                boolean all = security.users().keySet().stream().allMatch(u -> known.containsKey(u)
                        && known.get(u).credentialInfos().size() == 2);
                if (all) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new EmbeddedKafkaException("embedded Kafka did not apply the SCRAM users " + security.users().keySet()
                            + " within 30s", null);
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddedKafkaException("interrupted while creating the embedded broker's users", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new EmbeddedKafkaException("cannot create the embedded broker's SCRAM users: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
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

    /** The users and super users of a secured broker, or null when its listener is plain. */
    public EmbeddedSecurity security() {
        return security;
    }

    /** The CA certificate (PEM) a secured broker's certificate is signed by; clients trust it. */
    public Path caCertificate() {
        return requireTls().caPem();
    }

    /** The CA certificate in a PKCS#12 truststore (password {@link #truststorePassword()}). */
    public Path truststore() {
        return requireTls().truststore();
    }

    /** The password of {@link #truststore()}; it guards only a public certificate. */
    public String truststorePassword() {
        requireTls();
        return BrokerTls.TRUSTSTORE_PASSWORD;
    }

    /**
     * Kafka client properties to connect to a secured broker as this user with this SCRAM mechanism
     * ({@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}): {@code security.protocol}, {@code sasl.*} and
     * {@code ssl.truststore.*}; empty for a plain broker.
     */
    public Map<String, String> clientProperties(String user, String mechanism) {
        if (security == null) {
            return Map.of();
        }
        String password = security.users().get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user '" + user + "' on the embedded broker");
        }
        return clientProperties(user, password, mechanism);
    }

    /** Like {@link #clientProperties(String, String)} for a user and password given here (e.g. added later, or wrong). */
    public Map<String, String> clientProperties(String user, String password, String mechanism) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", mechanism);
        props.put("sasl.jaas.config", scramJaas(user, password));
        props.put("ssl.truststore.type", "PKCS12");
        props.put("ssl.truststore.location", truststore().toString());
        props.put("ssl.truststore.password", truststorePassword());
        return props;
    }

    /** A {@code sasl.jaas.config} value logging in with SCRAM as this user. */
    public static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + jaasEscape(user)
                + "\" password=\"" + jaasEscape(password) + "\";";
    }

    private static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private BrokerTls requireTls() {
        if (tls == null) {
            throw new IllegalStateException("the embedded broker is not secured (no TLS)");
        }
        return tls;
    }

    /** Stops the broker and waits until it has released its files and ports. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("embedded Kafka stopped");
    }
}
