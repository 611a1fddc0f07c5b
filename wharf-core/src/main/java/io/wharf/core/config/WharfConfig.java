package io.wharf.core.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The whole configuration of one Wharf instance: the root keys of the YAML file, each also a
 * command-line option. Absent keys take the documented defaults.
 *
 * @param bootstrapServers external Kafka cluster; null or blank starts the embedded broker
 * @param dataDir          where the embedded broker (and other local state) lives
 * @param bind             address every listener binds to
 * @param kafkaPort        embedded broker's client port (0 = a free port)
 * @param respPort         Redis-protocol port (0 = a free port)
 * @param httpPort         HTTP / SSE / WebSocket port (0 = a free port)
 * @param ioThreads        Netty event-loop threads shared by every front door (0 = cores)
 * @param kafka            Kafka client settings, passed through to every client
 * @param embedded         settings of the embedded broker
 * @param auth             credentials; when any is set every front door requires them
 * @param resp             Redis-protocol front door
 * @param http             HTTP front door
 * @param hub              the shared topic hub
 * @param relay            webhook relay and HTTP pollers
 */
public record WharfConfig(
        String bootstrapServers,
        Path dataDir,
        String bind,
        Integer kafkaPort,
        Integer respPort,
        Integer httpPort,
        Integer ioThreads,
        KafkaSettings kafka,
        EmbeddedSettings embedded,
        AuthSettings auth,
        RespSettings resp,
        HttpSettings http,
        HubSettings hub,
        RelaySettings relay) {

    public WharfConfig {
        bootstrapServers = bootstrapServers == null || bootstrapServers.isBlank() ? null : bootstrapServers.trim();
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        bind = bind == null || bind.isBlank() ? "127.0.0.1" : bind.trim();
        kafkaPort = kafkaPort == null ? 9092 : kafkaPort;
        respPort = respPort == null ? 6380 : respPort;
        httpPort = httpPort == null ? 8080 : httpPort;
        ioThreads = ioThreads == null ? 0 : ioThreads;
        kafka = kafka == null ? new KafkaSettings(null, null, null, null, null) : kafka;
        embedded = embedded == null ? new EmbeddedSettings(null, null, null, null) : embedded;
        auth = auth == null ? new AuthSettings(null, null, null) : auth;
        resp = resp == null ? RespSettings.defaults() : resp;
        http = http == null ? HttpSettings.defaults() : http;
        hub = hub == null ? HubSettings.defaults() : hub;
        relay = relay == null ? RelaySettings.defaults() : relay;
    }

    /** Every default: embedded broker, loopback, the standard ports. */
    public static WharfConfig defaults() {
        return new WharfConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** True when no external cluster is configured and Wharf runs its own broker. */
    @JsonIgnore
    public boolean embeddedKafka() {
        return bootstrapServers == null;
    }

    /** A copy pointing at an external cluster. */
    public WharfConfig withBootstrapServers(String servers) {
        return new WharfConfig(servers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka, embedded,
                auth, resp, http, hub, relay);
    }

    /** A copy whose listeners all take free ports: what tests and side-by-side instances want. */
    public WharfConfig withEphemeralPorts() {
        return new WharfConfig(bootstrapServers, dataDir, bind, 0, 0, 0, ioThreads, kafka, embedded, auth, resp,
                http, hub, relay);
    }

    /** A copy with a different data directory. */
    public WharfConfig withDataDir(Path dir) {
        return new WharfConfig(bootstrapServers, dir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka, embedded,
                auth, resp, http, hub, relay);
    }

    /** A copy with other credentials. */
    public WharfConfig withAuth(AuthSettings newAuth) {
        return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka,
                embedded, newAuth, resp, http, hub, relay);
    }

    /** A copy with other Redis-protocol settings. */
    public WharfConfig withResp(RespSettings newResp) {
        return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka,
                embedded, auth, newResp, http, hub, relay);
    }

    /** A copy with other HTTP settings. */
    public WharfConfig withHttp(HttpSettings newHttp) {
        return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka,
                embedded, auth, resp, newHttp, hub, relay);
    }

    /** A copy with other hub settings. */
    public WharfConfig withHub(HubSettings newHub) {
        return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka,
                embedded, auth, resp, http, newHub, relay);
    }

    /** A copy with other relay settings. */
    public WharfConfig withRelay(RelaySettings newRelay) {
        return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, kafka,
                embedded, auth, resp, http, hub, newRelay);
    }

    /** A copy with other Kafka client settings. */
    public WharfConfig withKafka(KafkaSettings newKafka) {
        return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort,
                respPort, httpPort, ioThreads, newKafka, embedded, auth, resp, http, hub, relay);
    }

    /**
     * Checks every value that has a range or a shape; each problem names its key.
     *
     * @return the problems, empty when the configuration is usable
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        port(problems, "kafka-port", kafkaPort);
        port(problems, "resp-port", respPort);
        port(problems, "http-port", httpPort);
        if (ioThreads < 0 || ioThreads > 1024) {
            problems.add("io-threads: " + ioThreads + " is out of range (0-1024, 0 = number of cores)");
        }
        if (bootstrapServers != null) {
            for (String server : bootstrapServers.split(",")) {
                String s = server.trim();
                int colon = s.lastIndexOf(':');
                if (colon <= 0 || colon == s.length() - 1 || !s.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                    problems.add("bootstrap-servers: '" + s + "' is not host:port");
                }
            }
        }
        kafka.problems("kafka", problems);
        embedded.problems("embedded", problems);
        auth.problems("auth", problems);
        resp.problems("resp", problems);
        http.problems("http", problems);
        hub.problems("hub", problems);
        relay.problems("relay", problems);
        return problems;
    }

    static void port(List<String> problems, String key, int port) {
        if (port < 0 || port > 65535) {
            problems.add(key + ": " + port + " is out of range (0-65535, 0 = a free port)");
        }
    }
}
