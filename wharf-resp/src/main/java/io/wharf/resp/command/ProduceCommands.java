package io.wharf.resp.command;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.wharf.core.access.Decision;
import io.wharf.core.access.Operation;
import io.wharf.core.access.PrincipalQuota;
import io.wharf.core.kafka.KafkaFailures;
import io.wharf.core.kafka.Sending;
import io.wharf.core.logging.LogValue;
import io.wharf.resp.produce.ProduceLedger;
import io.wharf.resp.produce.TopicKey;
import io.wharf.resp.protocol.CommandError;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Producing: Rafka's asynchronous {@code RPUSHX topics:<topic>[:<key>] <value>...} (replies once
 * the records are handed to the shared producer), the synchronous
 * {@code RPUSH topics:<topic>[:<key>] <value>...} (replies once Kafka acknowledged them, or with
 * Kafka's error), and {@code DUMP <timeoutMs>} (waits for this connection's records and reports
 * failures of asynchronous ones).
 */
final class ProduceCommands {
    private ProduceCommands() {
    }

    /** Adds these commands to the table ({@code RPUSH} is shared with acks, see {@link ConsumeCommands}). */
    static void register(CommandTable table) {
        table.add("RPUSHX", -3, List.of("write", "fast"), "list",
                "Produces values to topics:<topic>[:<key>]; replies when they are handed to the producer",
                (c, r) -> produce(c, r, false));
        table.add("DUMP", -1, List.of(), "generic",
                "Waits up to <timeoutMs> for this connection's records; replies the number still unacknowledged",
                ProduceCommands::dump);
    }

    /**
     * Produces every value after the key as one run through core's write path, which looks the topic
     * up, checks the records and keeps them in order (also behind a topic lookup). Asynchronous:
     * replies {@code :n} once they are queued for the producer; synchronous: once Kafka answered all of them.
     */
    static CompletableFuture<RespValue> produce(Connection c, RespRequest r, boolean synchronous) {
        TopicKey target = c.topicKey(r.arg(1));
        List<byte[]> values = r.args().subList(2, r.size());
        checkAccess(c, target, values);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(values.size());
        for (byte[] v : values) {
            records.add(new ProducerRecord<>(target.topic(), null, target.key(), v));
        }
        Sending run = c.produce().send(records, synchronous);
        if (!synchronous) {
            // usually complete already: the topic was known and the records are queued
            return run.accepted().handle((ok, error) -> error == null ? new RespValue.Int(records.size())
                    : refused(error));
        }
        return run.answered().thenApply(done -> {
            if (done.refusal() != null) {
                return refused(done.refusal());
            }
            int failed = done.failures();
            if (failed == 0) {
                return done.size() == 1 ? RespValue.ONE : new RespValue.Int(done.size());
            }
            String first = KafkaFailures.describe(done.firstError());
            return RespValue.error("PROD " + (done.size() == 1 ? first
                    : failed + " of " + done.size() + " records failed, the others were written: " + first));
        });
    }

    /**
     * The principal may produce to the topic, every record is inside its grant (a rule binding a key
     * or header admits only records carrying it; RESP records have no headers), and its produce rate
     * has room; otherwise {@code NOPERM} or {@code ERR rate limit} and nothing is sent.
     */
    private static void checkAccess(Connection c, TopicKey target, List<byte[]> values) {
        Decision d = c.access().topic(Operation.PRODUCE, target.topic());
        if (!(d instanceof Decision.Allowed allowed)) {
            throw CommandError.noperm(d.refusal());
        }
        // one key for the whole command, so one check covers every record
        if (!allowed.scope().admits(target.key(), List.of())) {
            throw CommandError.noperm("not allowed to produce " + (target.key() == null ? "a record without a key"
                    : "this record key") + " to topic '" + LogValue.of(target.topic())
                    + "' (the grant admits only records with the key or headers its rule binds)");
        }
        long bytes = 0;
        int keyBytes = target.key() == null ? 0 : target.key().length;
        for (byte[] v : values) {
            bytes += keyBytes + v.length;
        }
        PrincipalQuota quota = c.quota();
        long wait = quota.produce(values.size(), bytes);
        if (wait > 0) {
            throw CommandError.err(quota.produceRefusal(wait));
        }
    }

    private static RespValue refused(Throwable error) {
        return RespValue.error("PROD " + KafkaFailures.describe(error));
    }

    private static CompletableFuture<RespValue> dump(Connection c, RespRequest r) {
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
}
