package io.wharf.resp.command;

import static io.wharf.resp.command.RespCommand.now;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

import io.wharf.core.access.ClientAccess;
import io.wharf.core.kafka.Causes;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.core.pattern.Glob;
import io.wharf.resp.metrics.RespStats;
import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;

/**
 * Commands about the server: {@code INFO}, {@code COMMAND}, {@code CONFIG GET}, Rafka's
 * {@code KEYS topics:}, {@code HGETALL stats}, {@code DEL stats} and {@code MONITOR}.
 */
final class ServerCommands {
    /**
     * Matching steps one {@code KEYS} may spend (a step is one character compared): about 20 ms of one
     * core, far above what a plain pattern costs over 100,000 names, so only a pathological pattern over
     * many long names is refused.
     */
    static final long KEYS_MAX_STEPS = 20_000_000;

    private final DoorStatus status;
    private final RespStats stats;
    private final KafkaAccess kafka;
    private final int maxConnections;
    private final int maxKeysTopics;

    ServerCommands(DoorStatus status, RespStats stats, KafkaAccess kafka, int maxConnections, int maxKeysTopics) {
        this.status = status;
        this.stats = stats;
        this.kafka = kafka;
        this.maxConnections = maxConnections;
        this.maxKeysTopics = maxKeysTopics;
    }

    /** Adds these commands to the table. */
    void register(CommandTable table) {
        table.add("INFO", -1, List.of(), "server", "Information about the server, its clients and Kafka traffic",
                this::info);
        table.add("COMMAND", -1, List.of(), "server", "Describes the commands (COMMAND, COMMAND COUNT, DOCS, INFO, LIST)",
                (c, r) -> command(table, r));
        table.add("CONFIG", -2, List.of(), "server", "CONFIG GET answers with no parameters (Wharf is configured by file)",
                ServerCommands::config);
        table.add("KEYS", 2, List.of("readonly"), "generic", "Lists topics as topics:<name> (KEYS topics: lists all)",
                this::keys);
        table.add("HGETALL", 2, List.of("readonly"), "hash", "HGETALL stats: the door's produce and consume counters",
                this::hgetall);
        table.add("DEL", -2, List.of("write"), "generic", "DEL stats: resets the counters", this::del);
        table.add("MONITOR", 1, List.of(), "server", "Streams every command the server receives", ServerCommands::monitor);
    }

    private CompletableFuture<RespValue> info(Connection c, RespRequest r) {
        String wanted = r.size() > 1 ? r.keyword(1) : "DEFAULT";
        boolean all = wanted.equals("DEFAULT") || wanted.equals("ALL") || wanted.equals("EVERYTHING");
        StringBuilder out = new StringBuilder();
        if (all || wanted.equals("SERVER")) {
            long uptime = Duration.between(status.startedAt(), Instant.now()).toSeconds();
            section(out, "Server");
            line(out, "redis_version", ConnectionCommands.REDIS_VERSION);
            line(out, "redis_mode", "standalone");
            line(out, "wharf_version", version());
            line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch"));
            line(out, "process_id", ProcessHandle.current().pid());
            line(out, "tcp_port", status.port());
            line(out, "uptime_in_seconds", uptime);
            line(out, "uptime_in_days", uptime / 86_400);
            line(out, "kafka_bootstrap_servers", kafka.bootstrapServers());
        }
        if (all || wanted.equals("CLIENTS")) {
            section(out, "Clients");
            line(out, "connected_clients", status.connections());
            line(out, "maxclients", maxConnections);
            line(out, "blocked_clients", status.blockedClients());
            // Redis's name: the largest output buffer among the connected clients
            line(out, "client_recent_max_output_buffer", status.largestOutput());
            line(out, "kafka_consumers", status.consumers());
        }
        if (all || wanted.equals("MEMORY")) {
            Runtime rt = Runtime.getRuntime();
            section(out, "Memory");
            line(out, "used_memory", rt.totalMemory() - rt.freeMemory());
            line(out, "maxmemory", rt.maxMemory());
            line(out, "used_memory_heap", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        if (all || wanted.equals("PERSISTENCE")) {
            // ioredis waits while loading:1; Kafka is the storage and is always ready here
            section(out, "Persistence");
            line(out, "loading", 0);
        }
        if (all || wanted.equals("STATS")) {
            section(out, "Stats");
            line(out, "producer_unflushed_messages", stats.unflushed());
            line(out, "producer_delivery_errors", stats.deliveryErrors());
            line(out, "produce_bytes_pending", status.produceBytesPending());
        }
        if (all || wanted.equals("REPLICATION")) {
            section(out, "Replication");
            line(out, "role", "master");
            line(out, "connected_slaves", 0);
        }
        if (all || wanted.equals("KEYSPACE")) {
            section(out, "Keyspace");
        }
        return now(RespValue.Bulk.of(out.toString()));
    }

    private static String version() {
        String v = ServerCommands.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static void section(StringBuilder out, String name) {
        if (out.length() > 0) {
            out.append("\r\n");
        }
        out.append("# ").append(name).append("\r\n");
    }

    private static void line(StringBuilder out, String key, Object value) {
        out.append(key).append(':').append(value).append("\r\n");
    }

    private static CompletableFuture<RespValue> command(CommandTable table, RespRequest r) {
        if (r.size() == 1) {
            return now(new RespValue.Array(table.all().stream().map(ServerCommands::describe).toList()));
        }
        String sub = r.keyword(1);
        switch (sub) {
            case "COUNT" -> {
                return now(new RespValue.Int(table.all().size()));
            }
            case "LIST" -> {
                return now(RespValue.Array.ofText(table.all().stream().map(cmd -> lower(cmd.name())).toList()));
            }
            case "INFO" -> {
                List<RespValue> infos = new ArrayList<>();
                for (int i = 2; i < r.size(); i++) {
                    RespCommand cmd = table.get(r.keyword(i));
                    infos.add(cmd == null ? RespValue.NULL_ARRAY : describe(cmd));
                }
                if (r.size() == 2) {
                    table.all().forEach(cmd -> infos.add(describe(cmd)));
                }
                return now(new RespValue.Array(infos));
            }
            case "DOCS" -> {
                List<RespValue> docs = new ArrayList<>();
                for (RespCommand cmd : table.all()) {
                    if (r.size() > 2 && !mentioned(r, cmd.name())) {
                        continue;
                    }
                    docs.add(RespValue.Bulk.of(lower(cmd.name())));
                    docs.add(RespValue.Map.of("summary", cmd.summary(), "since", "1.0.0", "group", cmd.group(),
                            "complexity", "O(1)"));
                }
                return now(new RespValue.Map(docs));
            }
            default -> throw CommandError.err("unknown subcommand '" + r.text(1) + "'. Try COMMAND HELP.");
        }
    }

    private static boolean mentioned(RespRequest r, String name) {
        for (int i = 2; i < r.size(); i++) {
            if (r.keyword(i).equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Redis 7's COMMAND entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static RespValue describe(RespCommand cmd) {
        List<RespValue> flags = cmd.flags().stream().<RespValue>map(RespValue.Simple::new).toList();
        boolean keyed = cmd.flags().contains("write") || cmd.flags().contains("readonly") || cmd.flags().contains("blocking");
        return new RespValue.Array(List.of(
                RespValue.Bulk.of(lower(cmd.name())),
                new RespValue.Int(cmd.arity()),
                new RespValue.Array(flags),
                new RespValue.Int(keyed ? 1 : 0),
                new RespValue.Int(keyed ? 1 : 0),
                new RespValue.Int(keyed ? 1 : 0),
                new RespValue.Array(List.of(new RespValue.Simple("@" + cmd.group()))),
                new RespValue.Array(List.of()),
                new RespValue.Array(List.of()),
                new RespValue.Array(List.of())));
    }

    private static CompletableFuture<RespValue> config(Connection c, RespRequest r) {
        if (r.keyword(1).equals("GET")) {
            if (r.size() < 3) {
                throw CommandError.err("wrong number of arguments for 'config|get' command");
            }
            // nothing is configurable this way; tools such as redis-benchmark ask and carry on
            return now(new RespValue.Map(List.of()));
        }
        throw CommandError.err("unknown subcommand '" + r.text(1) + "'. Try CONFIG HELP.");
    }

    private CompletableFuture<RespValue> keys(Connection c, RespRequest r) {
        if (r.arg(1).length > Glob.MAX_PATTERN_CHARS) {
            throw CommandError.err("KEYS pattern of " + r.arg(1).length + " bytes is longer than the limit of "
                    + Glob.MAX_PATTERN_CHARS + " bytes");
        }
        String pattern = r.text(1);
        // Rafka's "KEYS topics:" lists every topic; otherwise a Redis glob over topics:<name>
        Glob glob = pattern.equals("topics:") ? null : Glob.compile(pattern);
        // the admin call does not block: its answer is matched on the connection's event loop, within bounds
        return kafka.topicNames().handleAsync((names, error) -> {
            if (error != null) {
                return RespValue.error("ERR cannot list topics: " + Causes.rootMessage(error));
            }
            return matching(glob, names, c.access());
        }, c.eventLoop());
    }

    /**
     * The topics whose {@code topics:<name>} matches and that the principal may describe, sorted, or
     * an error when the scan would cost too much.
     */
    RespValue matching(Glob glob, Collection<String> names, ClientAccess access) {
        if (names.size() > maxKeysTopics) {
            return RespValue.error("ERR KEYS would scan " + names.size() + " topics, more than the limit of "
                    + maxKeysTopics + " (resp.max-keys-topics)");
        }
        Glob.Scan scan = glob == null ? null : glob.scan(KEYS_MAX_STEPS);
        List<String> keys = new ArrayList<>();
        for (String name : names) {
            String key = "topics:" + name;
            if ((scan == null || scan.matches(key)) && access.mayDescribe(name)) {
                keys.add(key);
            }
        }
        if (scan != null && scan.exhausted()) {
            return RespValue.error("ERR KEYS pattern needs more than " + KEYS_MAX_STEPS + " matching steps over "
                    + names.size() + " topics; use fewer wildcards");
        }
        keys.sort(null);
        return RespValue.Array.ofText(keys);
    }

    private CompletableFuture<RespValue> hgetall(Connection c, RespRequest r) {
        statsKey(r);
        return now(stats.toReply(status.connections(), status.blockedClients(), status.consumers()));
    }

    private CompletableFuture<RespValue> del(Connection c, RespRequest r) {
        if (r.size() != 2) {
            throw CommandError.err("Expected key to be 'stats', got " + r.size() + " keys");
        }
        statsKey(r);
        stats.reset();
        return now(new RespValue.Int(1));
    }

    private static void statsKey(RespRequest r) {
        if (!r.keyword(1).equals("STATS")) {
            throw CommandError.err("Expected key to be 'stats', got " + r.text(1));
        }
    }

    private static CompletableFuture<RespValue> monitor(Connection c, RespRequest r) {
        if (c.access().enforced()) {
            // a monitor sees every client's records and keys, whatever its own grants
            throw CommandError.noperm("MONITOR shows every client's commands and is not allowed while access rules"
                    + " are configured");
        }
        c.monitor();
        return now(RespValue.OK);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

}
