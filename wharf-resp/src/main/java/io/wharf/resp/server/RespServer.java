package io.wharf.resp.server;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.wharf.core.auth.Credentials;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.resp.command.CommandTable;
import io.wharf.resp.command.ConnectionCommands;
import io.wharf.resp.command.ConsumeCommands;
import io.wharf.resp.command.ProduceCommands;
import io.wharf.resp.command.ServerCommands;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.consume.ConsumerRuntime;
import io.wharf.resp.produce.ProduceBudget;

/** What every connection of the Redis-protocol door shares: commands, Kafka, consumers, limits, counters. */
public final class RespServer implements AutoCloseable {
    private final GatewayContext context;
    private final RespSettings settings;
    private final KafkaAccess kafka;
    private final Credentials credentials;
    private final RespStats stats = new RespStats();
    private final RespMetrics metrics;
    private final CommandTable commands;
    private final ClientNames names = new ClientNames();
    private final MonitorFeed monitors = new MonitorFeed();
    private final ProduceBudget produceBudget;
    private final ConsumerRuntime consumers;
    private final ChannelGroup channels = new DefaultChannelGroup("resp", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong connectionIds = new AtomicLong();
    private final Instant startedAt = Instant.now();
    private volatile int port;

    public RespServer(GatewayContext context) {
        this(context, context.config().section(RespSettings.class), context.kafka(), context.credentials(), context.metrics().registry());
    }

    /**
     * A door from its parts. Unit tests of the connection pipeline pass no gateway and no Kafka
     * (both null) and run only commands that need neither.
     */
    RespServer(GatewayContext context, RespSettings settings, KafkaAccess kafka, Credentials credentials,
               MeterRegistry registry) {
        this.context = context;
        this.settings = settings;
        this.kafka = kafka;
        this.credentials = credentials;
        // the gauges read the consumer runtime, which needs the metrics to exist first
        this.metrics = new RespMetrics(registry, connections::get,
                () -> consumerRuntime() == null ? 0 : consumerRuntime().blockedClients().get(),
                () -> consumerRuntime() == null ? 0 : consumerRuntime().consumers());
        this.produceBudget = new ProduceBudget(settings.maxPendingProduceBytesTotal());
        this.consumers = new ConsumerRuntime(settings, kafka, stats, metrics);
        this.commands = new CommandTable(metrics);
        ConnectionCommands.register(commands);
        ServerCommands.register(commands);
        ProduceCommands.register(commands);
        ConsumeCommands.register(commands);
    }

    private ConsumerRuntime consumerRuntime() {
        return consumers;
    }

    /** Called once a connection is accepted; false when the connection limit is reached. */
    boolean admit(Channel channel) {
        if (connections.incrementAndGet() > settings.maxConnections()) {
            connections.decrementAndGet();
            return false;
        }
        channels.add(channel);
        metrics.connectionAccepted();
        return true;
    }

    /** A new connection's state. */
    RespConnection connection(Channel channel, Runnable onProduceRoom) {
        return new RespConnection(this, channel, connectionIds.incrementAndGet(), onProduceRoom);
    }

    /** An admitted connection closed. */
    void released(RespConnection connection) {
        connections.decrementAndGet();
        connection.closed();
    }

    public RespSettings settings() {
        return settings;
    }

    public KafkaAccess kafka() {
        return kafka;
    }

    public Credentials credentials() {
        return credentials;
    }

    public GatewayContext context() {
        return context;
    }

    public RespStats stats() {
        return stats;
    }

    public RespMetrics metrics() {
        return metrics;
    }

    public CommandTable commands() {
        return commands;
    }

    public ClientNames names() {
        return names;
    }

    public MonitorFeed monitors() {
        return monitors;
    }

    public ProduceBudget produceBudget() {
        return produceBudget;
    }

    public ConsumerRuntime consumers() {
        return consumers;
    }

    /** Open connections. */
    public int connections() {
        return connections.get();
    }

    /** Every open connection's channel. */
    ChannelGroup channels() {
        return channels;
    }

    /** When the door started. */
    public Instant startedAt() {
        return startedAt;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** Records the port once bound. */
    public void port(int actual) {
        this.port = actual;
    }

    /**
     * Stops serving: blocked clients get {@code CONS Server shutdown}, every connection closes, then
     * every consumer commits what was acknowledged and leaves its group.
     */
    public void shutdown(long timeout, TimeUnit unit) {
        consumers.stopWaiting();
        channels.close().awaitUninterruptibly(timeout, unit);
        consumers.close();
    }

    /** Releases the consumer threads (when the door never started listening). */
    @Override
    public void close() {
        consumers.close();
    }
}
