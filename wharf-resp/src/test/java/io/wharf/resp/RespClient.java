package io.wharf.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.KeyValue;

/** Rafka's commands sent through Jedis's generic command API, with Rafka's replies decoded. */
final class RespClient {
    private RespClient() {
    }

    /**
     * A consumed record in Rafka's form (and the full form's extra fields when present).
     *
     * @param topic     topic
     * @param partition partition
     * @param offset    offset
     * @param value     value, null for a null value
     * @param fields    every field name in reply order
     * @param raw       the reply as Jedis returned it
     */
    record Message(String topic, int partition, long offset, String value, List<String> fields, List<Object> raw) {
        String ack() {
            return topic + ":" + partition + ":" + offset;
        }
    }

    /** A command Jedis does not name. */
    static ProtocolCommand command(String name) {
        byte[] raw = name.getBytes(StandardCharsets.UTF_8);
        return () -> raw;
    }

    static long produce(UnifiedJedis j, String topic, String value) {
        return (Long) j.sendCommand(Protocol.Command.RPUSHX, "topics:" + topic, value);
    }

    /** Synchronous produce: replies once Kafka acknowledged. */
    static long produceAndWait(UnifiedJedis j, String topic, String value) {
        return (Long) j.sendCommand(Protocol.Command.RPUSH, "topics:" + topic, value);
    }

    static long produce(Jedis j, String topic, String value) {
        return (Long) j.sendCommand(Protocol.Command.RPUSHX, "topics:" + topic, value);
    }

    static long produce(Jedis j, String topic, String key, String value) {
        return (Long) j.sendCommand(Protocol.Command.RPUSHX, "topics:" + topic + ":" + key, value);
    }

    /** DUMP: waits (up to 30 s, a bound for loaded CI machines) for this connection's records; the number still unacknowledged. */
    static long flush(Jedis j) {
        return (Long) j.sendBlockingCommand(Protocol.Command.DUMP, "30000");
    }

    /** BLPOP with a timeout in seconds; null on timeout. */
    static Message consume(Jedis j, String key, String timeoutSeconds) {
        Object reply = j.sendBlockingCommand(Protocol.Command.BLPOP, key, timeoutSeconds);
        return reply == null ? null : message(reply);
    }

    /** BLPOP retried through a pooled client whose connections are all named by its config. */
    static Message consumeWithRetry(UnifiedJedis j, String key) {
        for (int i = 0; i < 15; i++) {
            Object reply = j.sendBlockingCommand(Protocol.Command.BLPOP, key, "1");
            if (reply != null) {
                return message(reply);
            }
        }
        return null;
    }

    /** BLPOP retried a few times, as Rafka's suite does while a consumer joins its group. */
    static Message consumeWithRetry(Jedis j, String key) {
        for (int i = 0; i < 15; i++) {
            Message m = consume(j, key, "1");
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    /** BLMPOP timeout 1 key LEFT COUNT n; empty on timeout. */
    static List<Message> consumeBatch(Jedis j, String key, String timeoutSeconds, int count) {
        Object reply = j.sendBlockingCommand(Protocol.Command.BLMPOP, timeoutSeconds, "1", key, "LEFT", "COUNT",
                String.valueOf(count));
        List<Message> out = new ArrayList<>();
        if (reply == null) {
            return out;
        }
        List<?> pair = (List<?>) reply;
        for (Object m : (List<?>) pair.get(1)) {
            out.add(message(m));
        }
        return out;
    }

    static long ack(Jedis j, String... acks) {
        String[] args = new String[acks.length + 1];
        args[0] = "acks";
        System.arraycopy(acks, 0, args, 1, acks.length);
        return (Long) j.sendCommand(Protocol.Command.RPUSH, args);
    }

    @SuppressWarnings("unchecked")
    static Message message(Object reply) {
        List<Object> items = new ArrayList<>();
        for (Object o : (List<Object>) reply) {
            // RESP3 maps arrive as key-value pairs
            if (o instanceof KeyValue<?, ?> kv) {
                items.add(kv.getKey());
                items.add(kv.getValue());
            } else {
                items.add(o);
            }
        }
        String topic = null;
        int partition = -1;
        long offset = -1;
        String value = null;
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < items.size(); i += 2) {
            String field = text(items.get(i));
            fields.add(field);
            Object v = items.get(i + 1);
            switch (field.toLowerCase(Locale.ROOT)) {
                case "topic" -> topic = text(v);
                case "partition" -> partition = ((Long) v).intValue();
                case "offset" -> offset = (Long) v;
                case "value" -> value = v == null ? null : text(v);
                default -> {
                    // full-form fields stay in raw
                }
            }
        }
        return new Message(topic, partition, offset, value, fields, items);
    }

    static String text(Object bulk) {
        return bulk == null ? null : new String((byte[]) bulk, StandardCharsets.UTF_8);
    }
}
