package io.wharf.core.group;

import java.time.Duration;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * How to make and run one member.
 *
 * @param name          for logs: the door, group and client
 * @param consumer      creates the Kafka consumer; called once, on a lifecycle thread
 * @param reading       what it reads
 * @param maxRecords    records queued for the door before the member pauses its partitions
 * @param maxBytes      bytes queued for the door before the member pauses its partitions
 * @param pollBackoff   longest pause between two polls while the door waits for records and none arrive
 * @param closeTimeout  how long the last commits and leaving the group may take
 */
public record MemberSpec(String name, Supplier<KafkaConsumer<byte[], byte[]>> consumer, MemberReading reading,
                         int maxRecords, long maxBytes, Duration pollBackoff, Duration closeTimeout) {
    public MemberSpec {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("a member's queue bounds must be positive");
        }
    }
}
