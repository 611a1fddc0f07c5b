package io.wharf.relay.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;

import org.junit.jupiter.api.Test;

class CommitMetadataTest {
    @Test
    void roundTripsFinishedRangesRelativeToTheCommittedOffset() {
        OffsetRanges finished = OffsetRanges.builder().add(105, 110).add(200, 201).add(1_000_000, 1_000_500).build();
        String metadata = CommitMetadata.encode(100, finished);
        assertThat(metadata).startsWith("wharf1:");
        assertThat(CommitMetadata.encodedLength(100, finished)).isEqualTo(metadata.length());
        assertThat(CommitMetadata.decode(100, metadata)).isEqualTo(finished);
        assertThat(CommitMetadata.decode(100, metadata).contains(109)).isTrue();
        assertThat(CommitMetadata.decode(100, metadata).contains(110)).isFalse();
    }

    @Test
    void nothingFinishedBeyondTheOffsetIsAnEmptyString() {
        assertThat(CommitMetadata.encode(7, OffsetRanges.EMPTY)).isEmpty();
        assertThat(CommitMetadata.decode(7, "")).isEqualTo(OffsetRanges.EMPTY);
    }

    @Test
    void foreignMetadataMeansNothingIsKnownToBeFinished() {
        assertThat(CommitMetadata.decode(7, "committed by some other tool")).isEqualTo(OffsetRanges.EMPTY);
        assertThat(CommitMetadata.decode(7, null)).isEqualTo(OffsetRanges.EMPTY);
    }

    @Test
    void damagedMetadataIsReportedNotGuessed() {
        assertThatThrownBy(() -> CommitMetadata.decode(7, "wharf1:!!!")).isInstanceOf(IllegalArgumentException.class);
        // a truncated varint
        assertThatThrownBy(() -> CommitMetadata.decode(7, "wharf1:gA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodedLengthMatchesForRandomSets() {
        Random random = new Random(1);
        for (int round = 0; round < 200; round++) {
            OffsetRanges.Builder b = OffsetRanges.builder();
            long at = 50;
            for (int i = 0; i < random.nextInt(300); i++) {
                at += 1 + random.nextInt(1_000);
                long end = at + 1 + random.nextInt(50);
                b.add(at, end);
                at = end;
            }
            OffsetRanges set = b.build();
            String encoded = CommitMetadata.encode(50, set);
            assertThat(encoded.length()).isEqualTo(CommitMetadata.encodedLength(50, set));
            assertThat(CommitMetadata.decode(50, encoded)).isEqualTo(set);
        }
    }

    @Test
    void rangesMergeAndAnswerMembership() {
        OffsetRanges a = OffsetRanges.builder().add(1, 3).add(3, 5).add(10, 12).build();
        assertThat(a.size()).isEqualTo(2);
        OffsetRanges b = OffsetRanges.builder().add(4, 11).add(20, 21).build();
        OffsetRanges u = a.union(b);
        assertThat(u.toString()).isEqualTo("[1..11, 20..20]");
        assertThat(u.from(5).toString()).isEqualTo("[5..11, 20..20]");
        assertThat(u.contains(0)).isFalse();
        assertThat(u.contains(11)).isTrue();
        assertThat(u.contains(12)).isFalse();
        assertThat(u.contains(20)).isTrue();
    }
}
