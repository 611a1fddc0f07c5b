package io.wharf.resp.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.wharf.core.auth.Credentials;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.metrics.RespMetrics;
import io.wharf.resp.metrics.RespStats;

/** Every command the door knows, by upper-case name, each with its counter on {@code /metrics}. */
public final class CommandTable {
    // looked up for every command: hashed; COMMAND lists them sorted
    private final Map<String, RespCommand> commands = new HashMap<>();
    private final Map<String, Counter> counters = new HashMap<>();
    private final RespMetrics metrics;
    private final Counter unknown;

    CommandTable(RespMetrics metrics) {
        this.metrics = metrics;
        this.unknown = metrics.command("unknown");
    }

    /**
     * The table of every command the door answers, each group of commands given only the services
     * it uses.
     *
     * @param kafka null in unit tests that run no command needing Kafka
     */
    public static CommandTable standard(RespSettings settings, RespMetrics metrics, RespStats stats, KafkaAccess kafka,
                                        Credentials credentials, ClientNames names,
                                        Consumers consumers, DoorStatus status) {
        CommandTable table = new CommandTable(metrics);
        new ConnectionCommands(credentials, names).register(table);
        new ServerCommands(status, stats, kafka, settings.maxConnections(), settings.maxKeysTopics()).register(table);
        ProduceCommands.register(table);
        new ConsumeCommands(consumers).register(table);
        return table;
    }

    /** Registers a command. */
    public void add(String name, int arity, List<String> flags, String group, String summary, RespCommand.Handler handler) {
        put(new RespCommand(name, arity, flags, group, summary, false, handler));
    }

    /** Registers a command that may run before {@code AUTH}. */
    public void addBeforeAuth(String name, int arity, List<String> flags, String group, String summary,
                              RespCommand.Handler handler) {
        put(new RespCommand(name, arity, flags, group, summary, true, handler));
    }

    private void put(RespCommand command) {
        commands.put(command.name(), command);
        counters.put(command.name(), metrics.command(command.name()));
    }

    /** The command with this upper-case name, or null. */
    public RespCommand get(String name) {
        return commands.get(name);
    }

    /** The counter of a known command. */
    public Counter counter(String name) {
        return counters.get(name);
    }

    /** The counter of commands nobody knows. */
    public Counter unknownCounter() {
        return unknown;
    }

    /** Every command, by name. */
    Collection<RespCommand> all() {
        return new TreeMap<>(commands).values();
    }
}
