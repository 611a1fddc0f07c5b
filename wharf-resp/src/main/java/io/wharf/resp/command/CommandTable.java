package io.wharf.resp.command;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.wharf.resp.server.RespMetrics;

/** Every command the door knows, by upper-case name, each with its counter on {@code /metrics}. */
public final class CommandTable {
    // looked up for every command: hashed; COMMAND lists them sorted
    private final Map<String, RespCommand> commands = new HashMap<>();
    private final Map<String, Counter> counters = new HashMap<>();
    private final RespMetrics metrics;
    private final Counter unknown;

    public CommandTable(RespMetrics metrics) {
        this.metrics = metrics;
        this.unknown = metrics.command("unknown");
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
    public Collection<RespCommand> all() {
        return new TreeMap<>(commands).values();
    }
}
