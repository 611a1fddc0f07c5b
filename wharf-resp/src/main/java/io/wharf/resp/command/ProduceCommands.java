package io.wharf.resp.command;

import static io.wharf.resp.command.RespCommand.now;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.wharf.core.kafka.Causes;
import io.wharf.core.kafka.TopicInfo;
import io.wharf.resp.produce.ColdTopics;
import io.wharf.resp.produce.ProduceLedger;
import io.wharf.resp.produce.TopicKey;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;
import io.wharf.resp.server.RespConnection;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Producing: Rafka's asynchronous {@code RPUSHX topics:<topic>[:<key>] <value>...} (replies once
 * the records are handed to the shared producer), the synchronous
 * {@code RPUSH topics:<topic>[:<key>] <value>...} (replies once Kafka acknowledged them, or with
 * Kafka's error), and {@code DUMP <timeoutMs>} (waits for this connection's records and reports
 * failures of asynchronous ones).
 */
public final class ProduceCommands {
    /** Bytes Kafka adds around one record in a batch, at most: enough to check a record's size before sending. */
    private static final int RECORD_OVERHEAD = 61 + 21;

    private ProduceCommands() {
    }

    /** Adds these commands to the table ({@code RPUSH} is shared with acks, see {@link ConsumeCommands}). */
    public static void register(CommandTable table) {
        table.add("RPUSHX", -3, List.of("write", "fast"), "list",
                "Produces values to topics:<topic>[:<key>]; replies when they are handed to the producer",
                (c, r) -> produce(c, r, false));
        table.add("DUMP", -1, List.of(), "generic",
                "Waits up to <timeoutMs> for this connection's records; replies the number still unacknowledged",
                ProduceCommands::dump);
    }

    /**
     * Produces every value after the key. Asynchronous: replies {@code :n} once handed to the producer;
     * synchronous: once Kafka acknowledged all of them.
     */
    static CompletableFuture<RespValue> produce(RespConnection c, RespRequest r, boolean synchronous) {
        TopicKey target = c.topicKey(r.arg(1));
        List<byte[]> values = r.args().subList(2, r.size());
        return withTopic(c, target.topic(), values.size(), info -> send(c, target, values, info, synchronous));
    }

    /**
     * Runs {@code then} once the topic's metadata is known (usually at once, from the cache), on the
     * event loop. A produce that has to wait holds back every later produce of the connection, so
     * records leave in the order the client sent them.
     */
    private static CompletableFuture<RespValue> withTopic(RespConnection c, String topic, int records,
                                                          Function<TopicInfo, CompletableFuture<RespValue>> then) {
        ColdTopics cold = c.server().coldTopics();
        CompletableFuture<?> earlier = c.producesWaiting();
        if (earlier.isDone() && cold.warm(topic)) {
            CompletableFuture<TopicInfo> info = c.server().kafka().topic(topic);
            if (info.isDone() && !info.isCompletedExceptionally()) {
                CompletableFuture<RespValue> reply = then.apply(info.join());
                cold.sent(topic);
                return reply;
            }
        }
        CompletableFuture<CompletableFuture<RespValue>> started = earlier.handle((ignored, e) -> null)
                .thenComposeAsync(ignored -> c.server().kafka().topic(topic).handle(Lookup::new), c.eventLoop())
                .thenComposeAsync(lookup -> {
                    if (lookup.error() != null || cold.warm(topic)) {
                        return CompletableFuture.completedFuture(afterLookup(c, records, then, lookup));
                    }
                    // the producer may block this send while it fetches the topic's metadata: not on an event loop
                    return CompletableFuture.supplyAsync(() -> {
                        CompletableFuture<RespValue> reply = afterLookup(c, records, then, lookup);
                        cold.sent(topic);
                        return reply;
                    }, cold.executor());
                }, c.eventLoop())
                .exceptionally(e -> now(RespValue.error("PROD Cannot send now: " + e.getMessage())));
        // later produces wait until these records are handed to the producer, not until Kafka acknowledges them
        c.producesWaiting(started);
        return started.thenCompose(Function.identity());
    }

    /**
     * A topic lookup's outcome.
     *
     * @param info  the topic, when found
     * @param error why not
     */
    private record Lookup(TopicInfo info, Throwable error) {
    }

    private static CompletableFuture<RespValue> afterLookup(RespConnection c, int records,
                                                            Function<TopicInfo, CompletableFuture<RespValue>> then,
                                                            Lookup lookup) {
        if (lookup.error() != null) {
            c.server().stats().refused(records);
            c.server().metrics().produceRefused(records);
            return now(RespValue.error("PROD " + ProduceLedger.describe(Causes.unwrap(lookup.error()))));
        }
        try {
            return then.apply(lookup.info());
        } catch (CommandError e) {
            return now(e.reply());
        }
    }

    private static CompletableFuture<RespValue> send(RespConnection c, TopicKey target, List<byte[]> values,
                                                     TopicInfo topic, boolean synchronous) {
        int limit = c.server().kafka().maxRecordBytes();
        String limitName = "the producer's max.request.size";
        Integer topicLimit = parseInt(topic.configs().get("max.message.bytes"));
        if (topicLimit != null && topicLimit < limit) {
            limit = topicLimit;
            limitName = "topic '" + topic.name() + "' max.message.bytes";
        }
        int keyBytes = target.key() == null ? 0 : target.key().length;
        for (byte[] v : values) {
            long size = (long) keyBytes + v.length + RECORD_OVERHEAD;
            if (size > limit) {
                throw CommandError.prod("Record of " + size + " bytes is larger than " + limit + " bytes, the most "
                        + limitName + " allows; nothing was sent");
            }
        }
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(values.size());
        for (byte[] v : values) {
            CompletableFuture<RecordMetadata> f = c.produce().send(
                    new ProducerRecord<>(target.topic(), null, target.key(), v), synchronous);
            if (f.isCompletedExceptionally() && !synchronous) {
                // refused before it left: tell this command's caller, not a later DUMP
                throw CommandError.prod(ProduceLedger.describe(failure(f)));
            }
            sent.add(f);
        }
        if (!synchronous) {
            return now(values.size());
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handleAsync((ok, error) -> {
            int failed = 0;
            String first = null;
            for (CompletableFuture<RecordMetadata> f : sent) {
                if (f.isCompletedExceptionally()) {
                    failed++;
                    if (first == null) {
                        first = ProduceLedger.describe(failure(f));
                    }
                }
            }
            if (failed == 0) {
                return sent.size() == 1 ? RespValue.ONE : new RespValue.Int(sent.size());
            }
            return RespValue.error("PROD " + (sent.size() == 1 ? first
                    : failed + " of " + sent.size() + " records failed, the others were written: " + first));
        }, c.eventLoop());
    }

    private static CompletableFuture<RespValue> dump(RespConnection c, RespRequest r) {
        if (r.size() != 2) {
            throw CommandError.prod("DUMP accepts 1 argument, got " + (r.size() - 1));
        }
        long timeoutMs;
        try {
            timeoutMs = Long.parseLong(r.text(1));
        } catch (NumberFormatException e) {
            timeoutMs = -1;
        }
        if (timeoutMs < 0) {
            throw CommandError.prod("DUMP timeout must be a whole number of milliseconds, got '" + r.text(1) + "'");
        }
        ProduceLedger ledger = c.produce();
        CompletableFuture<Long> flushed = ledger.awaitFlushed();
        if (!flushed.isDone()) {
            var timer = c.eventLoop().schedule(() -> ledger.expire(flushed), timeoutMs, TimeUnit.MILLISECONDS);
            flushed.whenComplete((n, e) -> timer.cancel(false));
        }
        return flushed.thenApplyAsync(unflushed -> {
            ProduceLedger.Failures failures = ledger.takeFailures();
            if (failures != null) {
                return RespValue.error("PROD " + failures.count() + " record(s) sent on this connection failed since"
                        + " the last DUMP; first error: " + failures.first());
            }
            return new RespValue.Int(unflushed);
        }, c.eventLoop());
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            return new IllegalStateException("not failed");
        } catch (CompletionException e) {
            return Causes.unwrap(e);
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static Integer parseInt(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
