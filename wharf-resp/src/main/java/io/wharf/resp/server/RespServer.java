package io.wharf.resp.server;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.wharf.core.access.AccessPolicy;
import io.wharf.core.access.PrincipalLimits;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.auth.Credentials;
import io.wharf.core.gateway.GatewayContext;
import io.wharf.core.kafka.KafkaAccess;
import io.wharf.resp.command.ClientNames;
import io.wharf.resp.command.CommandTable;
import io.wharf.resp.config.RespSettings;
import io.wharf.resp.consume.ConsumerRuntime;
import io.wharf.resp.metrics.RespMetrics;
import io.wharf.resp.metrics.RespStats;
import io.wharf.resp.produce.ProduceBudget;
import io.wharf.resp.protocol.RequestBudget;
import io.wharf.resp.produce.ProduceLedger;

/**
 * The Redis-protocol door assembled: builds what its connections share (commands, consumers,
 * limits, counters), hands each part to what uses it, and stops them in order.
 */
public final class RespServer implements AutoCloseable {
    private final RespSettings settings;
    private final MonitorFeed monitors = new MonitorFeed();
    private final RespMetrics metrics;
    private final ConsumerRuntime consumers;
    private final Connections connections;
    private final ServerStatus status;
    private final CommandTable commands;
    private final RequestBudget requestBudget;

    /** The door of a running gateway. */
    public RespServer(GatewayContext context) {
        this(context.config().section(RespSettings.class), context.kafka(), context.credentials(),
                context.access(), context.limits(), context.metrics().registry());
    }

    /**
     * A door from its parts, without access rules. Unit tests of the connection pipeline pass no
     * Kafka (null) and run only commands that need none.
     */
    RespServer(RespSettings settings, KafkaAccess kafka, Credentials credentials, MeterRegistry registry) {
        this(settings, kafka, credentials, new AccessPolicy(AccessSettings.open()),
                new PrincipalLimits(AccessSettings.open()), registry);
    }

    private RespServer(RespSettings settings, KafkaAccess kafka, Credentials credentials, AccessPolicy access, PrincipalLimits principalLimits, MeterRegistry registry) {
        this.settings = settings;
        RespStats stats = new RespStats();
        ClientNames names = new ClientNames();
        ProduceBudget budget = new ProduceBudget(settings.maxPendingProduceBytesTotal());
        this.requestBudget = new RequestBudget(settings.maxBufferedRequestBytes());
        // the gauges read the connections and the consumer runtime, which need the metrics to exist first
        this.metrics = new RespMetrics(registry, this::openConnections, this::blockedClients, this::liveConsumers,
                requestBudget::used);
        this.consumers = new ConsumerRuntime(settings, kafka, stats, metrics);
        long maxPendingProduceBytes = settings.maxPendingProduceBytes();
        this.connections = new Connections(settings.maxConnections(), credentials.required(), access, principalLimits,
                names, monitors, metrics,
                onRoom -> new ProduceLedger(kafka, budget, stats, metrics, maxPendingProduceBytes, onRoom));
        this.status = new ServerStatus(connections, consumers, budget);
        this.commands = CommandTable.standard(settings, metrics, stats, kafka, credentials, names,
                consumers::open, status);
    }

    private int openConnections() {
        return connections == null ? 0 : connections.count();
    }

    private int blockedClients() {
        return consumers == null ? 0 : consumers.blockedClients().get();
    }

    private int liveConsumers() {
        return consumers == null ? 0 : consumers.consumers();
    }

    /** Each new connection's pipeline. */
    public ChannelInitializer<Channel> channelInitializer() {
        int maxPendingReplies = settings.maxPendingReplies();
        return new RespChannelInitializer(settings, requestBudget,
                () -> new CommandDispatcher(connections, commands, monitors, metrics, maxPendingReplies,
                        settings.slowClientTimeout()));
    }

    /** Records the port once bound ({@code INFO} reports it). */
    public void listening(int port) {
        status.listening(port);
    }

    /** The command table, for tests that add their own commands. */
    CommandTable commands() {
        return commands;
    }

    /** Bytes of incomplete commands held over every connection. */
    long bufferedRequestBytes() {
        return requestBudget.used();
    }

    /** Open connections. */
    int connections() {
        return connections.count();
    }

    /**
     * Stops serving: blocked clients get {@code CONS Server shutdown}, every connection closes, then
     * every consumer commits what was acknowledged and leaves its group.
     */
    public void shutdown(long timeout, TimeUnit unit) {
        consumers.stopWaiting();
        connections.closeAll(timeout, unit);
        consumers.close();
    }

    /** Releases the consumer threads (when the door never started listening). */
    @Override
    public void close() {
        consumers.close();
    }
}
