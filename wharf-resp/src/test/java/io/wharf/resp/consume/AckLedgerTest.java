package io.wharf.resp.consume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Which offsets may be committed after which acks, in both modes. */
class AckLedgerTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void cumulativeAcksCommitTheNextOffsetPerPartitionAndRefuseWhatWasNotDelivered() {
        AckLedger ledger = AckLedger.create(AckMode.CUMULATIVE, 10);
        ledger.assigned(List.of(P0, P1));
        for (long o = 0; o < 5; o++) {
            ledger.delivered(P0, o);
        }
        assertThat(ledger.ack(P0, 7)).startsWith("Offset 7 of t:0 was not delivered on this connection (last delivered: 4)");
        assertThat(ledger.ack(P1, 0)).startsWith("Offset 0 of t:1 was not delivered");
        assertThat(ledger.ack(P0, 3)).isNull();
        assertThat(ledger.ack(P0, 1)).isNull();
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(4)));
        assertThat(ledger.dirty()).isFalse();
        assertThat(ledger.takeCommits()).isEmpty();
        ledger.revoked(List.of(P0));
        assertThat(ledger.ack(P0, 4)).startsWith("Partition t:0 is not assigned to this consumer");
        // an eager rebalance gives it back: acks of records delivered before are still valid
        ledger.assigned(List.of(P0));
        assertThat(ledger.ack(P0, 4)).isNull();
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(5)));
    }

    @Test
    void individualAcksCommitOnlyTheContiguousPrefixAndBoundWhatIsOutstanding() {
        AckLedger ledger = AckLedger.create(AckMode.INDIVIDUAL, 4);
        ledger.assigned(List.of(P0));
        for (long o = 10; o < 14; o++) {
            ledger.delivered(P0, o);
        }
        assertThat(ledger.room()).isZero();
        assertThat(ledger.ack(P0, 11)).isNull();
        assertThat(ledger.ack(P0, 13)).isNull();
        assertThat(ledger.room()).isEqualTo(2);
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));
        assertThat(ledger.ack(P0, 10)).isNull();
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(12)));
        assertThat(ledger.ack(P0, 12)).isNull();
        assertThat(ledger.ack(P0, 12)).isNull();
        Map<TopicPartition, OffsetAndMetadata> commit = ledger.takeCommits();
        assertThat(commit).isEqualTo(Map.of(P0, new OffsetAndMetadata(14)));
        ledger.commitFailed(commit);
        assertThat(ledger.dirty()).isTrue();
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(14)));
        assertThat(ledger.ack(P0, 20)).startsWith("Offset 20 of t:0 was not delivered");
    }

    @Test
    void cumulativeSkippedRecordsNeverHoldTheCommitBackNorCommitPastAnUnackedRecord() {
        AckLedger ledger = AckLedger.create(AckMode.CUMULATIVE, 10);
        ledger.assigned(List.of(P0));
        // nothing delivered yet: skipped records are done at once
        ledger.skipped(P0, 0);
        ledger.skipped(P0, 1);
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(2)));
        ledger.delivered(P0, 2);
        ledger.skipped(P0, 3);
        ledger.skipped(P0, 4);
        ledger.delivered(P0, 5);
        ledger.skipped(P0, 6);
        assertThat(ledger.dirty()).as("2 is not acknowledged, so 3 and 4 may not be committed").isFalse();
        assertThat(ledger.ack(P0, 2)).isNull();
        assertThat(ledger.takeCommits()).as("2 and the skipped run after it").isEqualTo(Map.of(P0,
                new OffsetAndMetadata(5)));
        assertThat(ledger.ack(P0, 5)).isNull();
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(7)));
        // everything delivered is acknowledged: a later skipped record moves the commit by itself
        ledger.skipped(P0, 9);
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(10)));
    }

    @Test
    void individualSkippedRecordsCountAsAcknowledged() {
        AckLedger ledger = AckLedger.create(AckMode.INDIVIDUAL, 4);
        ledger.assigned(List.of(P0));
        ledger.skipped(P0, 0);
        ledger.delivered(P0, 1);
        ledger.skipped(P0, 2);
        assertThat(ledger.room()).isEqualTo(3);
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(1)));
        assertThat(ledger.ack(P0, 1)).isNull();
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(3)));
        ledger.skipped(P0, 3);
        assertThat(ledger.takeCommits()).isEqualTo(Map.of(P0, new OffsetAndMetadata(4)));
    }
}
