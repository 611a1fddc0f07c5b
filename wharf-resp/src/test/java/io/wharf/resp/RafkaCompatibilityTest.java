package io.wharf.resp;

import static io.wharf.resp.RespClient.ack;
import static io.wharf.resp.RespClient.consume;
import static io.wharf.resp.RespClient.consumeBatch;
import static io.wharf.resp.RespClient.consumeWithRetry;
import static io.wharf.resp.RespClient.flush;
import static io.wharf.resp.RespClient.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.wharf.resp.RespClient.Message;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * What Rafka's end-to-end suite covers, run against Wharf with a real Redis client (Jedis, default
 * settings) and the real broker.
 */
@ExtendWith(SharedKafka.class)
class RafkaCompatibilityTest {
    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass();
    private static final TestKafka kafka = SharedKafka.get();

    private static String group() {
        return "g-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Waits until the group is stable with this many members, each holding partitions. */
    static void awaitMembers(String group, int members) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ConsumerGroupDescription d = kafka.admin().describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(d.members()).hasSize(members);
            assertThat(d.members()).allMatch(m -> !m.assignment().topicPartitions().isEmpty());
        });
    }

    @Test
    void consumesManyWithRafkasReplyShape() {
        String topic = kafka.createTopic("consume-many", 4);
        try (Jedis prod = gateway.jedis(); Jedis cons = gateway.consumer(group(), "c1")) {
            for (int i = 0; i < 3; i++) {
                assertThat(produce(prod, topic, String.valueOf(i))).isEqualTo(1);
            }
            assertThat(flush(prod)).isZero();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Message m = consumeWithRetry(cons, "topics:" + topic);
                assertThat(m).isNotNull();
                assertThat(m.fields()).containsExactly("topic", "partition", "offset", "value");
                assertThat(m.raw()).hasSize(8);
                assertThat(m.topic()).isEqualTo(topic);
                assertThat(m.partition()).isBetween(0, 3);
                assertThat(m.offset()).isNotNegative();
                assertThat(ack(cons, m.ack())).isEqualTo(1);
                values.add(m.value());
            }
            assertThat(values).containsExactlyInAnyOrder("0", "1", "2");
            assertThat(consume(cons, "topics:" + topic, "0.3")).isNull();
        }
    }

    @Test
    void keyedRecordsLandOnOnePartition() {
        String topic = kafka.createTopic("keyed", 4);
        try (Jedis prod = gateway.jedis(); Jedis cons = gateway.consumer(group(), "c1")) {
            for (int i = 0; i < 100; i++) {
                produce(prod, topic, "foo", String.valueOf(i));
            }
            assertThat(flush(prod)).isZero();
            Set<Integer> partitions = new HashSet<>();
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Message m = consumeWithRetry(cons, "topics:" + topic);
                partitions.add(m.partition());
                values.add(m.value());
            }
            assertThat(partitions).hasSize(1);
            // one partition keeps the producing order
            for (int i = 0; i < 100; i++) {
                assertThat(values.get(i)).isEqualTo(String.valueOf(i));
            }
        }
    }

    @Test
    void twoConsumersOfOneGroupSplitPartitionsAndTheSurvivorTakesOverWhenOneLeaves() {
        String topic = kafka.createTopic("split", 4);
        String group = group();
        String key = "topics:" + topic;
        try (Jedis prod = gateway.jedis(); Jedis c1 = gateway.consumer(group, "c1"); Jedis c2 = gateway.consumer(group, "c2")) {
            consume(c1, key, "0.5");
            consume(c2, key, "0.5");
            awaitMembers(group, 2);
            for (int i = 0; i < 40; i++) {
                produce(prod, topic, "k" + i, "a" + i);
            }
            assertThat(flush(prod)).isZero();
            Map<String, Set<Integer>> partitionsBy = new HashMap<>();
            Set<String> seen = new HashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < 40 && System.nanoTime() < deadline) {
                for (Map.Entry<String, Jedis> c : Map.of("c1", c1, "c2", c2).entrySet()) {
                    Message m = consume(c.getValue(), key, "0.2");
                    if (m != null) {
                        ack(c.getValue(), m.ack());
                        seen.add(m.value());
                        partitionsBy.computeIfAbsent(c.getKey(), k -> new HashSet<>()).add(m.partition());
                    }
                }
            }
            assertThat(seen).hasSize(40);
            assertThat(partitionsBy.get("c1")).isNotEmpty();
            assertThat(partitionsBy.get("c2")).isNotEmpty();
            assertThat(partitionsBy.get("c1")).doesNotContainAnyElementsOf(partitionsBy.get("c2"));

            c1.close();
            for (int i = 0; i < 40; i++) {
                produce(prod, topic, "k" + i, "b" + i);
            }
            assertThat(flush(prod)).isZero();
            Set<String> afterLeave = new HashSet<>();
            Set<Integer> survivorPartitions = new HashSet<>();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (afterLeave.size() < 40 && System.nanoTime() < deadline) {
                Message m = consume(c2, key, "0.5");
                if (m != null) {
                    ack(c2, m.ack());
                    if (m.value().startsWith("b")) {
                        afterLeave.add(m.value());
                        survivorPartitions.add(m.partition());
                    }
                }
            }
            assertThat(afterLeave).hasSize(40);
            assertThat(survivorPartitions).containsExactlyInAnyOrder(0, 1, 2, 3);
        }
    }

    @Test
    void consumersOfDifferentTopicsEachGetTheirOwn() {
        String topic1 = kafka.createTopic("meeseeks", 4);
        String topic2 = kafka.createTopic("look-at-me", 4);
        try (Jedis prod = gateway.jedis(); Jedis c1 = gateway.consumer(group(), "c1"); Jedis c2 = gateway.consumer(group(), "c2")) {
            produce(prod, topic1, "I'm Mr. Meeseeks");
            produce(prod, topic2, "Look at me");
            assertThat(flush(prod)).isZero();
            assertThat(consumeWithRetry(c1, "topics:" + topic1).value()).isEqualTo("I'm Mr. Meeseeks");
            assertThat(consumeWithRetry(c2, "topics:" + topic2).value()).isEqualTo("Look at me");
        }
    }

    @Test
    void oneConsumerReadsSeveralTopicsNamedInOneKey() {
        String topic1 = kafka.createTopic("multi-a", 1);
        String topic2 = kafka.createTopic("multi-b", 1);
        String key = "topics:" + topic1 + "," + topic2;
        try (Jedis prod = gateway.jedis(); Jedis c = gateway.consumer(group(), "multi")) {
            produce(prod, topic1, "from a");
            produce(prod, topic2, "from b");
            assertThat(flush(prod)).isZero();
            Message first = consumeWithRetry(c, key);
            Message second = consumeWithRetry(c, key);
            assertThat(List.of(first.topic(), second.topic())).containsExactlyInAnyOrder(topic1, topic2);
            assertThat(ack(c, first.ack(), second.ack())).isEqualTo(2);
        }
    }

    @Test
    void aGroupThatReconnectsResumesAfterItsLastAck() {
        String topic = kafka.createTopic("reconnect", 4);
        String group = group();
        String key = "topics:" + topic;
        Map<String, Integer> consumed = new HashMap<>();
        try (Jedis prod = gateway.jedis()) {
            for (int round = 0; round < 2; round++) {
                // new ids, as a restarted application's consumers get (an id is free only once its connection is gone)
                try (Jedis a = gateway.consumer(group, "a" + round); Jedis b = gateway.consumer(group, "b" + round)) {
                    consume(a, key, "0.5");
                    consume(b, key, "0.5");
                    for (int i = 0; i < 10; i++) {
                        produce(prod, topic, "r" + round + "-" + i);
                    }
                    assertThat(flush(prod)).isZero();
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    int round0 = round;
                    while (consumed.keySet().stream().filter(v -> v.startsWith("r" + round0)).count() < 10
                            && System.nanoTime() < deadline) {
                        for (Jedis c : List.of(a, b)) {
                            Message m = consume(c, key, "0.2");
                            if (m != null) {
                                consumed.merge(m.value(), 1, Integer::sum);
                                ack(c, m.ack());
                            }
                        }
                    }
                }
                // both closed: their acks are committed before they leave the group
            }
        }
        assertThat(consumed).hasSize(20);
        assertThat(consumed.values()).allMatch(n -> n == 1);
        long committed = 0;
        for (int p = 0; p < 4; p++) {
            committed += Math.max(0, kafka.committedOffset(group, topic, p));
        }
        assertThat(committed).isEqualTo(20);
    }

    @Test
    void aSinglePartitionConsumerReconnectsWhereItLeftOffAndAnotherGroupReadsEverything() {
        String topic = kafka.createTopic("reconnect-one", 1);
        String key = "topics:" + topic;
        try (Jedis prod = gateway.jedis()) {
            produce(prod, topic, "foo");
            assertThat(flush(prod)).isZero();
            try (Jedis cons = gateway.consumer("a_group_" + topic, "x")) {
                Message m = consumeWithRetry(cons, key);
                assertThat(m.value()).isEqualTo("foo");
                ack(cons, m.ack());
            }
            produce(prod, topic, "bar");
            assertThat(flush(prod)).isZero();
            try (Jedis cons = gateway.consumer("a_group_" + topic, "y")) {
                assertThat(consumeWithRetry(cons, key).value()).isEqualTo("bar");
            }
            try (Jedis cons = gateway.consumer("another_group_" + topic, "z")) {
                assertThat(consumeWithRetry(cons, key).value()).isEqualTo("foo");
                assertThat(consumeWithRetry(cons, key).value()).isEqualTo("bar");
            }
        }
    }

    @Test
    void aClientIdIsHeldByOneLiveConnectionAndFreeAgainWhenItCloses() {
        String id = group() + ":same";
        Jedis first = gateway.jedis();
        assertThat(first.clientSetname(id)).isEqualTo("OK");
        assertThat(first.clientGetname()).isEqualTo(id);
        try (Jedis second = gateway.jedis()) {
            assertThatThrownBy(() -> second.clientSetname(id)).isInstanceOf(JedisDataException.class)
                    .hasMessage("CONS id " + id + " is already taken");
            first.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(second.clientSetname(id)).isEqualTo("OK"));
            assertThatThrownBy(() -> second.clientSetname(id + "2")).isInstanceOf(JedisDataException.class)
                    .hasMessage("CONS Client ID is already set to " + id);
        }
        try (Jedis third = gateway.jedis()) {
            assertThatThrownBy(() -> third.clientSetname("nogroup")).isInstanceOf(JedisDataException.class)
                    .hasMessage("CONS Cannot parse group.id from 'nogroup' (expected <group>:<name>)");
        }
    }

    @Test
    void aConsumerThatClosesLeavesItsIdAndGroupMembershipForAReconnect() {
        String topic = kafka.createTopic("reclaim", 1);
        String group = group();
        try (Jedis cons = gateway.consumer(group, "me")) {
            consume(cons, "topics:" + topic, "1");
        }
        try (Jedis again = gateway.jedis()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(again.clientSetname(group + ":me")).isEqualTo("OK"));
            try (Jedis prod = gateway.jedis()) {
                produce(prod, topic, "hello");
                assertThat(flush(prod)).isZero();
            }
            assertThat(consumeWithRetry(again, "topics:" + topic).value()).isEqualTo("hello");
        }
    }

    @Test
    void statsAreIntegersAndResetToZero() {
        try (Jedis j = gateway.jedis()) {
            Map<String, String> stats = j.hgetAll("stats");
            assertThat(stats).containsKeys("producer.unflushed.messages", "producer.delivery.errors");
            stats.values().forEach(v -> assertThat(Long.parseLong(v)).isNotNegative());
            assertThat(j.del("stats")).isEqualTo(1);
            assertThatThrownBy(() -> produce(j, "idontexist-" + UUID.randomUUID(), "asemas"))
                    .hasMessageStartingWith("PROD topic 'idontexist-");
            // a produce refused before it reached Kafka is no delivery error (issue 11): it is counted as refused
            assertThat(j.hgetAll("stats")).containsEntry("producer.delivery.errors", "0");
            assertThat(j.del("stats")).isEqualTo(1);
            assertThat(j.hgetAll("stats")).containsEntry("producer.delivery.errors", "0");
            assertThatThrownBy(() -> j.hgetAll("other")).hasMessage("ERR Expected key to be 'stats', got other");
        }
    }

    @Test
    void withAutoCommitOffEachAckIsCommittedBeforeItsReply() {
        String topic = kafka.createTopic("manual", 1);
        String group = group();
        String key = "topics:" + topic + ":{\"enable.auto.commit\":false}";
        try (Jedis prod = gateway.jedis(); Jedis cons = gateway.consumer(group, "m")) {
            for (int i = 0; i < 3; i++) {
                produce(prod, topic, "v" + i);
            }
            assertThat(flush(prod)).isZero();
            Message first = consumeWithRetry(cons, key);
            Message second = consumeWithRetry(cons, key);
            assertThat(kafka.committedOffset(group, topic, 0)).isEqualTo(-1);
            assertThat(ack(cons, first.ack())).isEqualTo(1);
            assertThat(kafka.committedOffset(group, topic, 0)).isEqualTo(first.offset() + 1);
            assertThat(ack(cons, second.ack())).isEqualTo(1);
            assertThat(kafka.committedOffset(group, topic, 0)).isEqualTo(second.offset() + 1);
        }
    }

    @Test
    void batchConsumeAndBatchCommitOfTheHighestOffsetPerPartition() {
        String topic = kafka.createTopic("batch", 2);
        String group = group();
        String key = "topics:" + topic;
        try (Jedis prod = gateway.jedis(); Jedis cons = gateway.consumer(group, "b")) {
            for (int i = 0; i < 50; i++) {
                produce(prod, topic, "k" + i, "v" + i);
            }
            assertThat(flush(prod)).isZero();
            List<Message> all = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (all.size() < 50 && System.nanoTime() < deadline) {
                List<Message> batch = consumeBatch(cons, key, "1", 20);
                assertThat(batch.size()).isLessThanOrEqualTo(20);
                all.addAll(batch);
            }
            assertThat(all).extracting(Message::value).hasSize(50).doesNotHaveDuplicates();
            Map<Integer, Long> highest = new HashMap<>();
            all.forEach(m -> highest.merge(m.partition(), m.offset(), Math::max));
            String[] acks = highest.entrySet().stream().map(e -> topic + ":" + e.getKey() + ":" + e.getValue())
                    .toArray(String[]::new);
            assertThat(ack(cons, acks)).isEqualTo(acks.length);
            assertThat(consumeBatch(cons, key, "0.2", 20)).isEmpty();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long total = 0;
            for (int p = 0; p < 2; p++) {
                total += Math.max(0, kafka.committedOffset(group, topic, p));
            }
            assertThat(total).isEqualTo(50);
        });
    }

    @Test
    void consumerConfigJsonIsAppliedOrRefusedNamingTheSetting() {
        String topic = kafka.createTopic("config", 1);
        try (Jedis prod = gateway.jedis()) {
            produce(prod, topic, "old");
            assertThat(flush(prod)).isZero();
        }
        String latest = "topics:" + topic + ":{\"auto.offset.reset\":\"largest\",\"session.timeout.ms\":\"10000\","
                + "\"auto.commit.interval.ms\":200,\"enable.partition.eof\":false}";
        try (Jedis cons = gateway.consumer(group(), "cfg"); Jedis prod = gateway.jedis()) {
            assertThat(consume(cons, latest, "2")).isNull();
            produce(prod, topic, "new");
            assertThat(flush(prod)).isZero();
            assertThat(consumeWithRetry(cons, latest).value()).isEqualTo("new");
        }
        try (Jedis cons = gateway.consumer(group(), "bad")) {
            assertThatThrownBy(() -> consume(cons, "topics:" + topic + ":{\"auto.offset.reset\":", "1"))
                    .hasMessageStartingWith("CONS Cannot parse consumer config JSON");
            assertThatThrownBy(() -> consume(cons, "topics:" + topic + ":{\"queued.max.messages.kbytes\":1}", "1"))
                    .hasMessageStartingWith("CONS Unknown consumer setting 'queued.max.messages.kbytes'");
            assertThatThrownBy(() -> consume(cons, "topics:" + topic + ":{\"auto.offset.reset\":\"sideways\"}", "1"))
                    .hasMessageStartingWith("CONS Invalid value 'sideways' for consumer setting 'auto.offset.reset'");
            assertThatThrownBy(() -> consume(cons, "topics:" + topic + ":{\"group.id\":\"x\"}", "1"))
                    .hasMessageContaining("CLIENT SETNAME");
            assertThatThrownBy(() -> consume(cons, "topics:" + topic + ":[1,2]", "1"))
                    .hasMessageStartingWith("CONS Consumer config must be a JSON object");
            // none of those created a consumer: a valid one still can
            assertThat(consumeWithRetry(cons, "topics:" + topic).value()).isEqualTo("old");
        }
    }

    @Test
    void producingToAMissingTopicIsAProduceError() {
        try (Jedis prod = gateway.jedis()) {
            assertThatThrownBy(() -> produce(prod, "idontexist", "foo"))
                    .isInstanceOf(JedisDataException.class).hasMessage("PROD topic 'idontexist' does not exist");
            assertThat(prod.sendCommand(Protocol.Command.PING)).isNotNull();
        }
    }
}
