package io.wharf.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: each option is also a root key of the config file, and wins over it. */
@Command(name = "wharf", mixinStandardHelpOptions = true, versionProvider = WharfVersion.class, sortOptions = false,
        usageHelpWidth = 100,
        description = {
                "Wharf, a Kafka gateway: produce and consume Kafka over the Redis protocol, HTTP,",
                "Server-Sent Events and WebSocket; relay Kafka events to webhooks exactly once in effect.",
                "With no --bootstrap-servers it runs its own Kafka broker with data under --data-dir.", ""},
        footer = {"", "Every option is also a root key of the config file (e.g. resp-port: 6380);",
                "options win over the file. Config values may use $${VAR} or $${VAR:-default}.",
                "Exit codes: 0 stopped cleanly, 1 failed to start, 2 bad command line or configuration,",
                "3 stopped by force (the stop outlasted shutdown-timeout, or a second SIGTERM/Ctrl-C)."})
final class WharfCommand implements Callable<Map<String, Object>> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--bootstrap-servers", paramLabel = "LIST",
            description = "External Kafka cluster (host:port,...). Absent: start the embedded broker.")
    String bootstrapServers;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: ./data).")
    Path dataDir;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address every listener binds to (default: 127.0.0.1).")
    String bind;

    @Option(names = "--kafka-port", paramLabel = "N", description = "Embedded broker's port (default: 9092; 0 = free port).")
    Integer kafkaPort;

    @Option(names = "--resp-port", paramLabel = "N", description = "Redis-protocol port (default: 6380; 0 = free port).")
    Integer respPort;

    @Option(names = "--http-port", paramLabel = "N", description = "HTTP/SSE/WebSocket port (default: 8080; 0 = free port).")
    Integer httpPort;

    @Option(names = "--io-threads", paramLabel = "N", description = "Network threads shared by all listeners (default: cores).")
    Integer ioThreads;

    @Option(names = "--print-config",
            description = "Print the effective configuration (every default filled in, secrets masked) and exit.")
    boolean printConfig;

    /** The root keys given on the command line, for the config loader. */
    @Override
    public Map<String, Object> call() {
        Map<String, Object> overrides = new LinkedHashMap<>();
        overrides.put("bootstrap-servers", bootstrapServers);
        overrides.put("data-dir", dataDir);
        overrides.put("bind", bind);
        overrides.put("kafka-port", kafkaPort);
        overrides.put("resp-port", respPort);
        overrides.put("http-port", httpPort);
        overrides.put("io-threads", ioThreads);
        overrides.values().removeIf(java.util.Objects::isNull);
        return overrides;
    }
}
