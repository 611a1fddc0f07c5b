package io.wharf.resp.command;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.wharf.core.access.ClientAccess;
import io.wharf.core.access.Decision;
import io.wharf.core.access.Operation;
import io.wharf.core.access.StreamScope;
import io.wharf.core.kafka.Causes;
import io.wharf.resp.consume.ConsumeFailure;
import io.wharf.resp.consume.ConsumerSession;
import io.wharf.resp.consume.TopicsKey;
import io.wharf.resp.consume.Waiter;
import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Consuming: Rafka's {@code BLPOP topics:<t>[,<t2>...][:<json>] <timeout>} (one record),
 * {@code BLMPOP <timeout> 1 topics:<t> LEFT COUNT <n>} (up to n records in one reply) and
 * {@code RPUSH acks <topic>:<partition>:<offset>...}. The first consume of a connection makes it a
 * member of the consumer group named by its {@code CLIENT SETNAME}.
 */
final class ConsumeCommands {
    /** Longest timeout accepted, in seconds (about three years): beyond is surely a mistake. */
    private static final BigDecimal MAX_TIMEOUT_SECONDS = BigDecimal.valueOf(100_000_000L);
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);

    private final Consumers consumers;

    ConsumeCommands(Consumers consumers) {
        this.consumers = consumers;
    }

    /** Adds these commands (and {@code RPUSH}, shared with synchronous produce) to the table. */
    void register(CommandTable table) {
        table.add("BLPOP", -3, List.of("write", "blocking"), "list",
                "Consumes one record from topics:<t>[,<t2>...][:<json config>], waiting up to <timeout> seconds (0 = until one arrives)",
                this::blpop);
        table.add("BLMPOP", -5, List.of("write", "blocking"), "list",
                "Consumes up to COUNT records from topics:<t> in one reply: BLMPOP <timeout> 1 topics:<t> LEFT COUNT <n>",
                this::blmpop);
        table.add("RPUSH", -3, List.of("write", "fast"), "list",
                "RPUSH acks <topic>:<partition>:<offset>... acknowledges; RPUSH topics:<t>[:<key>] <value>... produces and waits for Kafka",
                this::rpush);
    }

    private CompletableFuture<RespValue> blpop(Connection c, RespRequest r) {
        long timeoutNanos = timeoutNanos(r.text(r.size() - 1));
        ConsumerSession session = session(c, r.text(1));
        Waiter waiter = session.take(1);
        return await(c, session, waiter, timeoutNanos,
                records -> session.reply(records.get(0)));
    }

    private CompletableFuture<RespValue> blmpop(Connection c, RespRequest r) {
        long timeoutNanos = timeoutNanos(r.text(1));
        int numKeys = positive(r.text(2), "numkeys should be greater than 0");
        int at = 3 + numKeys;
        if (r.size() < at + 1) {
            throw CommandError.err("syntax error");
        }
        String direction = r.keyword(at);
        if (direction.equals("RIGHT")) {
            throw CommandError.cons("Only LEFT is supported: Kafka delivers each partition oldest first");
        }
        if (!direction.equals("LEFT")) {
            throw CommandError.err("syntax error");
        }
        int count = 1;
        if (r.size() > at + 1) {
            if (r.size() != at + 3 || !r.keyword(at + 1).equals("COUNT")) {
                throw CommandError.err("syntax error");
            }
            count = positive(r.text(at + 2), "count should be greater than 0");
        }
        byte[] key = r.arg(3);
        ConsumerSession session = session(c, r.text(3));
        Waiter waiter = session.take(count);
        return await(c, session, waiter, timeoutNanos,
                records -> session.reply(key, records));
    }

    private CompletableFuture<RespValue> rpush(Connection c, RespRequest r) {
        String key = r.text(1);
        if (key.equalsIgnoreCase("acks")) {
            return ack(c, r);
        }
        if (key.startsWith("topics:")) {
            return ProduceCommands.produce(c, r, true);
        }
        throw CommandError.err("RPUSH takes 'acks' (to acknowledge records) or 'topics:<topic>[:<key>]' (to produce and"
                + " wait for Kafka), got '" + key + "'");
    }

    private static CompletableFuture<RespValue> ack(Connection c, RespRequest r) {
        ConsumerSession session = c.consumer();
        if (session == null) {
            throw CommandError.cons("No consumer on this connection: consume with BLPOP first, then ack what it returned");
        }
        Decision commit = c.access().group(Operation.COMMIT, c.group());
        if (!commit.allowed()) {
            throw CommandError.noperm(commit.refusal());
        }
        List<ConsumerSession.Ack> acks = new ArrayList<>();
        for (int i = 2; i < r.size(); i++) {
            acks.add(parseAck(r.text(i)));
        }
        return session.ack(acks).thenApply(problem -> problem == null
                ? (acks.size() == 1 ? RespValue.ONE : new RespValue.Int(acks.size()))
                : RespValue.error("CONS " + problem));
    }

    /** {@code <topic>:<partition>:<offset>}. */
    static ConsumerSession.Ack parseAck(String text) {
        int last = text.lastIndexOf(':');
        int middle = last <= 0 ? -1 : text.lastIndexOf(':', last - 1);
        if (middle <= 0) {
            throw CommandError.cons("Cannot parse ack: '" + text + "' (expected <topic>:<partition>:<offset>)");
        }
        String topic = text.substring(0, middle);
        int partition;
        long offset;
        try {
            partition = Integer.parseInt(text.substring(middle + 1, last));
        } catch (NumberFormatException e) {
            partition = -1;
        }
        if (partition < 0) {
            throw CommandError.cons("Cannot parse ack: '" + text + "': the partition must be a whole number >= 0");
        }
        try {
            offset = Long.parseLong(text.substring(last + 1));
        } catch (NumberFormatException e) {
            offset = -1;
        }
        if (offset < 0) {
            throw CommandError.cons("Cannot parse ack: '" + text + "': the offset must be a whole number >= 0");
        }
        return new ConsumerSession.Ack(new TopicPartition(topic, partition), offset);
    }

    /** The connection's consumer for this key, created by its first consume. */
    private ConsumerSession session(Connection c, String key) {
        if (c.clientName() == null) {
            throw CommandError.cons("Connection not ready. Identify yourself using `CLIENT SETNAME <group>:<name>` first");
        }
        TopicsKey topics = TopicsKey.parse(key);
        Map<String, StreamScope> scopes = scopes(c.access(), topics.topics(), c.group());
        ConsumerSession session = c.consumer();
        if (session != null) {
            String failure = session.failure();
            if (failure != null) {
                c.consumer(null);
                throw CommandError.cons("Consumer failed: " + failure + " (the next consume starts a new one)");
            }
            if (!session.topics().equals(topics.topics())) {
                throw CommandError.cons("This connection already consumes " + String.join(",", session.topics())
                        + "; consume " + String.join(",", topics.topics()) + " on another connection");
            }
            if (!session.scopes().equals(scopes)) {
                throw CommandError.noperm("this connection's consumer was started with the grants of the principal it"
                        + " had before AUTH; consume on a new connection");
            }
            return session;
        }
        String limited = c.quota().openSubscription();
        if (limited != null) {
            throw CommandError.err(limited);
        }
        String name = c.clientName().substring(c.group().length() + 1);
        try {
            session = consumers.open(c.group(), name, topics.topics(), topics.configJson(), scopes, c.outlet());
        } catch (RuntimeException e) {
            c.quota().closeSubscription();
            throw e;
        }
        c.consumer(session);
        return session;
    }

    /**
     * Checks that the principal may consume every topic and join the group: the scopes of the
     * topics whose grant binds a filter (a consumer skips records outside them), or {@code NOPERM}.
     */
    private static Map<String, StreamScope> scopes(ClientAccess access, List<String> topics, String group) {
        Map<String, StreamScope> scopes = new HashMap<>();
        for (String t : topics) {
            Decision d = access.topic(Operation.CONSUME, t);
            if (!(d instanceof Decision.Allowed allowed)) {
                throw CommandError.noperm(d.refusal());
            }
            if (!allowed.scope().unrestricted()) {
                scopes.put(t, allowed.scope());
            }
        }
        Decision join = access.group(Operation.JOIN, group);
        if (!join.allowed()) {
            throw CommandError.noperm(join.refusal());
        }
        return Map.copyOf(scopes);
    }

    /**
     * Replies when records arrive (nil array on timeout; 0 = no timeout), forgetting a consumer that
     * failed. A credential that expires while the client waits ends the wait at its expiry, answered
     * {@code NOPERM the credential has expired; authenticate again}.
     */
    private static CompletableFuture<RespValue> await(Connection c, ConsumerSession session, Waiter waiter,
                                                      long timeoutNanos,
                                                      Function<List<ConsumerRecord<byte[], byte[]>>, RespValue> reply) {
        ClientAccess access = c.access();
        long waitNanos = timeoutNanos;
        Instant expiresAt = access.principal().expiresAt();
        if (expiresAt != null) {
            long left = TimeUnit.MILLISECONDS.toNanos(Math.max(1, expiresAt.toEpochMilli() - System.currentTimeMillis()));
            waitNanos = waitNanos == 0 ? left : Math.min(waitNanos, left);
        }
        if (!waiter.result().isDone() && waitNanos > 0) {
            waiter.timeout(c.eventLoop().schedule(() -> session.expire(waiter), waitNanos, TimeUnit.NANOSECONDS));
        }
        return waiter.result().handle((records, error) -> {
            waiter.cancelTimeout();
            if (error != null) {
                if (Causes.unwrap(error) instanceof ConsumeFailure && session.failure() != null) {
                    c.eventLoop().execute(() -> {
                        if (c.consumer() == session) {
                            c.consumer(null);
                        }
                    });
                }
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
            }
            if (records.isEmpty()) {
                return access.expired() ? RespValue.error("NOPERM " + new Decision.Expired().message())
                        : RespValue.NULL_ARRAY;
            }
            return reply.apply(records);
        });
    }

    /** Seconds as Redis clients send them ({@code 5}, {@code 0.3}); 0 means no timeout. */
    static long timeoutNanos(String text) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw CommandError.err("timeout is not a float or out of range");
        }
        if (seconds.signum() < 0) {
            throw CommandError.err("timeout is negative");
        }
        if (seconds.compareTo(MAX_TIMEOUT_SECONDS) > 0) {
            throw CommandError.err("timeout is out of range");
        }
        long nanos = seconds.multiply(NANOS_PER_SECOND).longValue();
        return seconds.signum() > 0 ? Math.max(1, nanos) : 0;
    }

    private static int positive(String text, String message) {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CommandError.err(message);
    }
}
