package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.GroupState;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * 500 group-mode subscriptions over ten WebSocket connections and five groups cost the gateway a
 * few poller threads, not a thread each, and every group still gets each record once.
 */
class GroupModeThreadsTest {
    private static final int CONNECTIONS = 10;
    private static final int PER_CONNECTION = 50;
    private static final int GROUPS = 5;
    private static final int PARTITIONS = 8;
    private static final int RECORDS_PER_PARTITION = 5;
    /** kafka-clients' classic group member runs its own heartbeat thread; Wharf cannot share it. */
    private static final String KAFKA_HEARTBEAT = "kafka-coordinator-heartbeat-thread";

    @Test
    void fiveHundredGroupSubscriptionsAddFewerThanTenThreadsAndEachGroupGetsEveryRecordOnce() throws Exception {
        TestKafka kafka = SharedKafka.get();
        String topic = kafka.createTopic("ws-threads", PARTITIONS);
        // one client for every socket, on two threads, so the client side adds no thread per connection
        ExecutorService clientThreads = Executors.newFixedThreadPool(2);
        HttpClient client = HttpClient.newBuilder().executor(clientThreads).connectTimeout(Duration.ofSeconds(10)).build();
        String run = Long.toString(System.nanoTime(), 36);
        try (TestGateway gateway = TestGateway.builder().kafka(kafka).start()) {
            List<Inbox> sockets = new ArrayList<>();
            sockets.add(Inbox.open(client, gateway));
            Map<String, Integer> before = threadsByKind();

            for (int c = 1; c < CONNECTIONS; c++) {
                sockets.add(Inbox.open(client, gateway));
            }
            Map<String, String> groupOfSub = new HashMap<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                for (int j = 0; j < PER_CONNECTION; j++) {
                    String sub = "s" + c + "-" + j;
                    String group = "threads-" + run + "-" + ((c * PER_CONNECTION + j) % GROUPS);
                    groupOfSub.put(sub, group);
                    sockets.get(c).send(TestClients.JSON.createObjectNode().put("type", "subscribe").put("id", sub)
                            .put("topic", topic).put("mode", "group").put("group", group).put("start", "earliest")
                            .toString());
                }
            }
            Set<String> groups = Set.copyOf(groupOfSub.values());
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(
                    () -> sockets.stream().mapToLong(s -> s.count("subscribed")).sum() == CONNECTIONS * PER_CONNECTION);
            // every member has joined and the groups settled: no rebalance will move records between members
            int perGroup = CONNECTIONS * PER_CONNECTION / GROUPS;
            Awaitility.await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Map<String, ConsumerGroupDescription> d = kafka.admin().describeConsumerGroups(groups).all()
                        .get(10, TimeUnit.SECONDS);
                return d.values().stream().allMatch(g -> g.groupState() == GroupState.STABLE
                        && g.members().size() == perGroup
                        && g.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == PARTITIONS);
            });

            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    kafka.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, p, null,
                            TestKafka.bytes("p" + p + "-" + i)));
                }
            }
            int expected = PARTITIONS * RECORDS_PER_PARTITION;
            Map<String, List<String>> delivered = new ConcurrentHashMap<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                delivered.clear();
                for (Inbox s : sockets) {
                    for (JsonNode m : s.all("records")) {
                        for (JsonNode r : m.get("records")) {
                            delivered.computeIfAbsent(groupOfSub.get(m.get("sub").asText()), g -> new ArrayList<>())
                                    .add(r.get("partition").asInt() + ":" + r.get("offset").asLong());
                        }
                    }
                }
                return groups.stream().allMatch(g -> delivered.getOrDefault(g, List.of()).size() >= expected);
            });
            Map<String, Integer> after = threadsByKind();

            List<String> everyRecord = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                    everyRecord.add(p + ":" + i);
                }
            }
            for (String g : groups) {
                assertThat(delivered.get(g)).as("records delivered in group %s", g)
                        .containsExactlyInAnyOrderElementsOf(everyRecord);
            }
            Map<String, Integer> added = new TreeMap<>();
            after.forEach((kind, n) -> {
                int d = n - before.getOrDefault(kind, 0);
                if (d != 0) {
                    added.put(kind, d);
                }
            });
            int heartbeats = added.getOrDefault(KAFKA_HEARTBEAT, 0);
            int wharfAdded = added.entrySet().stream().filter(e -> !e.getKey().equals(KAFKA_HEARTBEAT))
                    .mapToInt(Map.Entry::getValue).sum();
            System.out.printf("threads added by %d group subscriptions: %s (besides kafka-clients' %d heartbeat threads: %d)%n",
                    CONNECTIONS * PER_CONNECTION, added, heartbeats, wharfAdded);
            assertThat(wharfAdded).as("threads added besides kafka-clients' per-member heartbeat threads: %s", added)
                    .isLessThan(10);
            assertThat(heartbeats).as("kafka-clients' heartbeat threads, one per group member").isLessThanOrEqualTo(
                    CONNECTIONS * PER_CONNECTION);
            for (Inbox s : sockets) {
                s.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
            }
        } finally {
            clientThreads.shutdownNow();
        }
    }

    /** Live threads by name with digits dropped (e.g. {@code wharf-http-poller-}). */
    private static Map<String, Integer> threadsByKind() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName().startsWith(KAFKA_HEARTBEAT) ? KAFKA_HEARTBEAT : t.getName().replaceAll("[0-9]+", "#"))
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.summingInt(n -> 1)));
    }

    /** A WebSocket that keeps every message it got, parsed. */
    private static final class Inbox implements WebSocket.Listener {
        private final List<JsonNode> messages = new ArrayList<>(); // guarded by itself
        private final StringBuilder partial = new StringBuilder(); // the client's executor, one message at a time
        WebSocket socket;

        static Inbox open(HttpClient client, TestGateway gateway) {
            Inbox inbox = new Inbox();
            inbox.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(TestClients.ws(gateway, "/ws"), inbox).join();
            return inbox;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        long count(String type) {
            return all(type).size();
        }

        List<JsonNode> all(String type) {
            synchronized (messages) {
                return messages.stream().filter(m -> m.path("type").asText().equals(type)).toList();
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode m = TestClients.JSON.readTree(partial.toString());
                    synchronized (messages) {
                        messages.add(m);
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
