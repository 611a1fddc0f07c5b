package io.wharf.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The whole configuration of one Wharf instance: the root keys of the YAML file (each also a
 * command-line option), core's sections, and the sections of the front doors, which core knows only
 * as {@link Section}s of the type each door declares. Absent keys take the documented defaults.
 *
 * @param bootstrapServers external Kafka cluster; null or blank starts the embedded broker
 * @param dataDir          where the embedded broker (and other local state) lives
 * @param bind             address every listener binds to
 * @param kafkaPort        embedded broker's client port (0 = a free port)
 * @param respPort         Redis-protocol port (0 = a free port)
 * @param httpPort         HTTP / SSE / WebSocket port (0 = a free port)
 * @param ioThreads        Netty event-loop threads shared by every front door (0 = cores)
 * @param shutdownTimeout  the longest a stop may take; then the process exits anyway (default 30s)
 * @param kafka            Kafka client settings, passed through to every client
 * @param embedded         settings of the embedded broker
 * @param auth             credentials; when any is set every front door requires them
 * @param access           what each principal may do; without rules, everything
 * @param hub              the shared topic hub
 * @param doors            the door sections given in the file or set by code, by settings type; a door
 *                         whose section is absent takes its defaults ({@link #section(Class)})
 */
public record WharfConfig(
        String bootstrapServers,
        Path dataDir,
        String bind,
        Integer kafkaPort,
        Integer respPort,
        Integer httpPort,
        Integer ioThreads,
        Duration shutdownTimeout,
        KafkaSettings kafka,
        EmbeddedSettings embedded,
        AuthSettings auth,
        AccessSettings access,
        HubSettings hub,
        @JsonIgnore Map<Class<? extends Section>, Section> doors) {

    /** Where the {@code hub} section sits among door sections ({@link DoorSection#order()}): doors below it come first. */
    public static final int HUB_SECTION_ORDER = 100;

    /** Defaults of door settings types, bound once from an empty mapping; settings are immutable records. */
    private static final Map<Class<?>, Section> DOOR_DEFAULTS = new ConcurrentHashMap<>();

    public WharfConfig {
        bootstrapServers = bootstrapServers == null || bootstrapServers.isBlank() ? null : bootstrapServers.trim();
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        bind = bind == null || bind.isBlank() ? "127.0.0.1" : bind.trim();
        kafkaPort = kafkaPort == null ? 9092 : kafkaPort;
        respPort = respPort == null ? 6380 : respPort;
        httpPort = httpPort == null ? 8080 : httpPort;
        ioThreads = ioThreads == null ? 0 : ioThreads;
        shutdownTimeout = shutdownTimeout == null ? Duration.ofSeconds(30) : shutdownTimeout;
        kafka = kafka == null ? new KafkaSettings(null, null, null, null, null) : kafka;
        embedded = embedded == null ? new EmbeddedSettings(null, null, null, null) : embedded;
        auth = auth == null ? new AuthSettings(null, null, null) : auth;
        access = access == null ? AccessSettings.open() : access;
        hub = hub == null ? HubSettings.defaults() : hub;
        Map<Class<? extends Section>, Section> given = new LinkedHashMap<>();
        if (doors != null) {
            doors.forEach((type, settings) -> {
                if (!type.isInstance(settings)) {
                    throw new IllegalArgumentException(settings + " is not a " + type.getName());
                }
                // a section equal to its defaults is the same as an absent one, so equal configurations are equal
                if (!settings.equals(defaultsOf(type))) {
                    given.put(type, settings);
                }
            });
        }
        doors = Map.copyOf(given);
    }

    /** Every default: embedded broker, loopback, the standard ports, every door at its defaults. */
    public static WharfConfig defaults() {
        return builder().build();
    }

    /** A builder starting from every default. */
    public static Builder builder() {
        return new Builder(new WharfConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null));
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** True when no external cluster is configured and Wharf runs its own broker. */
    @JsonIgnore
    public boolean embeddedKafka() {
        return bootstrapServers == null;
    }

    /**
     * A door's settings: the section given in the file or by {@link #with(Class, Section)}, else the
     * type's defaults (what an empty section binds to).
     */
    public <S extends Section> S section(Class<S> type) {
        Section settings = doors.get(type);
        return type.cast(settings != null ? settings : defaultsOf(type));
    }

    /** A copy with a door's settings replaced. */
    public <S extends Section> WharfConfig with(Class<S> type, S settings) {
        return toBuilder().with(type, settings).build();
    }

    /** A copy pointing at an external cluster. */
    public WharfConfig withBootstrapServers(String servers) {
        return toBuilder().bootstrapServers(servers).build();
    }

    /** A copy whose listeners all take free ports: what tests and side-by-side instances want. */
    public WharfConfig withEphemeralPorts() {
        return toBuilder().ephemeralPorts().build();
    }

    /** A copy with other Kafka client settings. */
    public WharfConfig withKafka(KafkaSettings newKafka) {
        return toBuilder().kafka(newKafka).build();
    }

    /**
     * Core's sections and the given doors' sections by key, in the order the file is printed and
     * validated: {@code kafka}, {@code embedded}, {@code auth}, {@code access}, then doors and {@code hub} by
     * {@link DoorSection#order()} (the hub at {@link #HUB_SECTION_ORDER}).
     */
    public Map<String, Section> sections(List<DoorSection<?>> doorSections) {
        Map<String, Section> sections = new LinkedHashMap<>();
        sections.put("kafka", kafka);
        sections.put("embedded", embedded);
        sections.put("auth", auth);
        sections.put("access", access);
        List<DoorSection<?>> sorted = new ArrayList<>(doorSections);
        sorted.sort(Comparator.comparingInt(DoorSection::order));
        boolean hubPlaced = false;
        for (DoorSection<?> door : sorted) {
            if (!hubPlaced && door.order() >= HUB_SECTION_ORDER) {
                sections.put("hub", hub);
                hubPlaced = true;
            }
            sections.put(door.key(), section(door.type()));
        }
        if (!hubPlaced) {
            sections.put("hub", hub);
        }
        return sections;
    }

    /**
     * Checks every value that has a range or a shape; each problem names its key.
     *
     * @param doorSections the door sections to check besides core's (those on the class path)
     * @return the problems, empty when the configuration is usable
     */
    public List<String> problems(List<DoorSection<?>> doorSections) {
        List<String> problems = new ArrayList<>();
        port(problems, "kafka-port", kafkaPort);
        port(problems, "resp-port", respPort);
        port(problems, "http-port", httpPort);
        if (ioThreads < 0 || ioThreads > 1024) {
            problems.add("io-threads: " + ioThreads + " is out of range (0-1024, 0 = number of cores)");
        }
        if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
            problems.add("shutdown-timeout: must be positive");
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
        sections(doorSections).forEach((key, section) -> section.problems(key, problems));
        return problems;
    }

    private static Section defaultsOf(Class<?> type) {
        return DOOR_DEFAULTS.computeIfAbsent(type, ConfigLoader::defaultsOf);
    }

    static void port(List<String> problems, String key, int port) {
        if (port < 0 || port > 65535) {
            problems.add(key + ": " + port + " is out of range (0-65535, 0 = a free port)");
        }
    }

    /** Changes a configuration one value at a time; {@link #build()} applies the defaults. */
    public static final class Builder {
        private String bootstrapServers;
        private Path dataDir;
        private String bind;
        private Integer kafkaPort;
        private Integer respPort;
        private Integer httpPort;
        private Integer ioThreads;
        private Duration shutdownTimeout;
        private KafkaSettings kafka;
        private EmbeddedSettings embedded;
        private AuthSettings auth;
        private AccessSettings access;
        private HubSettings hub;
        private final Map<Class<? extends Section>, Section> doors;

        private Builder(WharfConfig from) {
            bootstrapServers = from.bootstrapServers;
            dataDir = from.dataDir;
            bind = from.bind;
            kafkaPort = from.kafkaPort;
            respPort = from.respPort;
            httpPort = from.httpPort;
            ioThreads = from.ioThreads;
            shutdownTimeout = from.shutdownTimeout;
            kafka = from.kafka;
            embedded = from.embedded;
            auth = from.auth;
            access = from.access;
            hub = from.hub;
            doors = new LinkedHashMap<>(from.doors);
        }

        /** External cluster; null starts the embedded broker. */
        public Builder bootstrapServers(String servers) {
            bootstrapServers = servers;
            return this;
        }

        /** Data directory. */
        public Builder dataDir(Path dir) {
            dataDir = dir;
            return this;
        }

        /** Address every listener binds to. */
        public Builder bind(String address) {
            bind = address;
            return this;
        }

        /** Every listener (the embedded broker's too) on a free port. */
        public Builder ephemeralPorts() {
            kafkaPort = 0;
            respPort = 0;
            httpPort = 0;
            return this;
        }

        /** Network threads shared by every door (0 = cores). */
        public Builder ioThreads(int threads) {
            ioThreads = threads;
            return this;
        }

        /** The longest a stop may take before the process exits anyway. */
        public Builder shutdownTimeout(Duration timeout) {
            shutdownTimeout = timeout;
            return this;
        }

        /** Kafka client settings. */
        public Builder kafka(KafkaSettings settings) {
            kafka = settings;
            return this;
        }

        /** Embedded broker settings. */
        public Builder embedded(EmbeddedSettings settings) {
            embedded = settings;
            return this;
        }

        /** Credentials. */
        public Builder auth(AuthSettings settings) {
            auth = settings;
            return this;
        }

        /** Access rules and per-principal limits. */
        public Builder access(AccessSettings settings) {
            access = settings;
            return this;
        }

        /** Topic hub settings. */
        public Builder hub(HubSettings settings) {
            hub = settings;
            return this;
        }

        /** A door's settings, by the type its factory declares. */
        public <S extends Section> Builder with(Class<S> type, S settings) {
            if (settings == null) {
                doors.remove(type);
            } else {
                doors.put(type, settings);
            }
            return this;
        }

        /** The configuration, defaults filled in. */
        public WharfConfig build() {
            return new WharfConfig(bootstrapServers, dataDir, bind, kafkaPort, respPort, httpPort, ioThreads, shutdownTimeout, kafka,
                    embedded, auth, access, hub, doors);
        }
    }
}
