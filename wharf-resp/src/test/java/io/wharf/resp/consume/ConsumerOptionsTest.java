package io.wharf.resp.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.wharf.resp.config.RespSettings;
import io.wharf.resp.protocol.CommandError;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.junit.jupiter.api.Test;

/** librdkafka-style consumer settings mapped to the Java client, and refused with the key named. */
class ConsumerOptionsTest {
    private static final RespSettings SETTINGS = RespSettings.defaults();

    @Test
    void mapsLibrdkafkaNamesAndValuesToTheJavaClient() {
        ConsumerOptions o = ConsumerOptions.parse("{\"auto.offset.reset\":\"smallest\",\"fetch.wait.max.ms\":50,"
                + "\"fetch.message.max.bytes\":\"65536\",\"partition.assignment.strategy\":\"cooperative-sticky,range\","
                + "\"enable.auto.commit\":false,\"auto.commit.interval.ms\":250,\"check.crcs\":\"true\","
                + "\"wharf.message.format\":\"full\",\"wharf.ack.mode\":\"individual\"}", SETTINGS);
        assertThat(o.kafka()).containsEntry("auto.offset.reset", "earliest").containsEntry("fetch.max.wait.ms", 50)
                .containsEntry("max.partition.fetch.bytes", 65536).containsEntry("check.crcs", true)
                .containsEntry("partition.assignment.strategy",
                        CooperativeStickyAssignor.class.getName() + "," + RangeAssignor.class.getName());
        assertThat(o.commitEachAck()).isTrue();
        assertThat(o.commitInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.format()).isEqualTo(MessageFormat.FULL);
        assertThat(o.ackMode()).isEqualTo(AckMode.INDIVIDUAL);
        assertThat(ConsumerOptions.parse(null, SETTINGS)).isEqualTo(ConsumerOptions.defaults(SETTINGS));
    }

    @Test
    void refusesUnknownOrInvalidSettingsNamingThem() {
        assertThatThrownBy(() -> ConsumerOptions.parse("{\"statistics.interval.ms\":1000}", SETTINGS))
                .isInstanceOf(CommandError.class).hasMessageStartingWith("CONS Unknown consumer setting 'statistics.interval.ms'");
        assertThatThrownBy(() -> ConsumerOptions.parse("{\"enable.auto.offset.store\":true}", SETTINGS))
                .hasMessage("CONS Invalid value 'true' for consumer setting 'enable.auto.offset.store': expected false"
                        + " (offsets are stored only by RPUSH acks)");
        assertThatThrownBy(() -> ConsumerOptions.parse("{\"partition.assignment.strategy\":\"sticky\"}", SETTINGS))
                .hasMessage("CONS Invalid value 'sticky' for consumer setting 'partition.assignment.strategy': expected one"
                        + " of range, roundrobin, cooperative-sticky");
        assertThatThrownBy(() -> ConsumerOptions.parse("{\"group.protocol\":\"consumer\",\"session.timeout.ms\":10000}", SETTINGS))
                .hasMessage("CONS Consumer setting 'session.timeout.ms' cannot be used with group.protocol=consumer (the broker decides it)");
        assertThatThrownBy(() -> ConsumerOptions.parse("{\"fetch.min.bytes\":0}", SETTINGS))
                .hasMessage("CONS Invalid value '0' for consumer setting 'fetch.min.bytes': expected a whole number from 1 to 100000000");
        assertThatThrownBy(() -> ConsumerOptions.parse("{", SETTINGS)).hasMessageStartingWith("CONS Cannot parse consumer config JSON '{': ");
    }
}
