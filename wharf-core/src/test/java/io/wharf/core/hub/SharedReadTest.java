package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.wharf.core.config.HubSettings;
import org.junit.jupiter.api.Test;

/** One Kafka read per topic-partition however many subscribers; readers start on interest and stop when idle. */
class SharedReadTest extends HubTestBase {

    @Test
    void aThousandSubscribersCostExactlyOneKafkaReadPerPartition() throws Exception {
        String topic = kafka.createTopic("hub-thousand", 4);
        produceValues(topic, 4, 0, 200);
        KafkaTopicHub hub = hub();
        RecordingSubscriber first = subscribe(hub, topic, new StartPosition.Earliest());
        awaitRecords(first, 200);
        double brokerConnectionsWithOne = brokerConnections();

        List<RecordingSubscriber> others = new ArrayList<>();
        for (int i = 1; i < 1000; i++) {
            others.add(subscribe(hub, topic, new StartPosition.Earliest()));
        }
        await().atMost(WAIT).until(() -> others.stream().allMatch(s -> s.recordCount() == 200));
        produceValues(topic, 4, 200, 100);
        awaitRecords(first, 300);
        await().atMost(WAIT).until(() -> others.stream().allMatch(s -> s.recordCount() == 300));

        HubStats stats = hub.stats();
        assertThat(stats.subscribers()).isEqualTo(1000);
        assertThat(stats.sharedReaders()).isEqualTo(4);
        assertThat(stats.catchUpReaders()).isZero();
        // each record came from Kafka once, and went out a thousand times
        assertThat(stats.sharedRecordsIn()).isEqualTo(300);
        assertThat(stats.catchUpRecordsIn()).isZero();
        assertThat(stats.eventsOut()).isEqualTo(300_000);
        // the client side: exactly four Kafka consumers exist for this topic
        assertThat(hubConsumers(topic)).isEqualTo(4);
        // the broker's side: 999 more subscribers opened no connection
        assertThat(brokerConnections()).isEqualTo(brokerConnectionsWithOne);
    }

    @Test
    void aReaderStopsAfterTheIdleGraceAndAReturningSubscriberStartsOneAgain() throws Exception {
        String topic = kafka.createTopic("hub-idle", 2);
        KafkaTopicHub hub = hub(HubSettings.defaults().withIdleGrace(Duration.ofMillis(300)));
        RecordingSubscriber s = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(s, 2);
        await().atMost(WAIT).until(() -> hub.stats().sharedReaders() == 2);
        s.subscription().close();
        assertThat(hub.stats().subscribers()).isZero();
        await().atMost(WAIT).until(() -> hub.stats().sharedReaders() == 0);
        assertThat(hubConsumers(topic)).isZero();
        assertThat(hub.stats().cacheBytes()).isZero();

        RecordingSubscriber again = subscribe(hub, topic, new StartPosition.Live());
        awaitAttached(again, 2);
        produceValues(topic, 2, 0, 4);
        awaitRecords(again, 4);
        assertThat(hub.stats().sharedReaders()).isEqualTo(2);
    }

    @Test
    void bootstrapTopicsAreReadFromStartUpAndServeLaterSubscribersFromTheCache() {
        String topic = kafka.createTopic("hub-bootstrap", 2);
        KafkaTopicHub hub = hub(HubSettings.defaults().withIdleGrace(Duration.ofMillis(200))
                .withBootstrapTopics(List.of(topic, "hub-bootstrap-missing-" + System.nanoTime())));
        await().atMost(WAIT).until(() -> hub.stats().sharedReaders() == 2);
        await().atMost(WAIT).until(() -> hubConsumers(topic) == 2);
        produceValues(topic, 2, 0, 10);
        await().atMost(WAIT).until(() -> hub.stats().sharedRecordsIn() == 10);

        RecordingSubscriber s = subscribe(hub, topic, new StartPosition.AtOffset(0));
        awaitRecords(s, 10);
        assertThat(hub.stats().catchUpRecordsIn()).isZero();
        s.subscription().close();
        // pinned: no idle close
        await().pollDelay(Duration.ofMillis(800)).atMost(WAIT).until(() -> true);
        assertThat(hub.stats().sharedReaders()).isEqualTo(2);
    }

    /** Live hub consumers of a topic, counted from the Kafka client's own metrics (one MBean set per consumer). */
    private static long hubConsumers(String topic) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("kafka.consumer:type=consumer-metrics,*"), null);
        return names.stream().map(n -> n.getKeyProperty("client-id"))
                .filter(id -> id.startsWith("wharf-hub-" + topic + "-")).count();
    }

    /** Open client connections as the broker counts them on its client listener. */
    private static double brokerConnections() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        double total = 0;
        for (ObjectName n : server.queryNames(
                new ObjectName("kafka.server:type=socket-server-metrics,listener=PLAINTEXT,networkProcessor=*"), null)) {
            total += ((Number) server.getAttribute(n, "connection-count")).doubleValue();
        }
        return total;
    }
}
