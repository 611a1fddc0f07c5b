package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** Resume tokens: compact URL-safe text, and the hub's array-backed form equal to the map form. */
class ResumeTokenTest {

    @Test
    void roundTripsThroughItsTextForm() {
        ResumeToken token = new ResumeToken(Map.of(0, 0L, 3, 1_234_567_890_123L, 17, 42L));
        String text = token.encode();
        assertThat(text).matches("[A-Za-z0-9_-]+");
        assertThat(ResumeToken.decode(text)).isEqualTo(token);
        assertThat(ResumeToken.decode(new ResumeToken(Map.of()).encode()).nextOffsets()).isEmpty();
    }

    @Test
    void theHubsVectorFormEqualsTheMapFormAndEncodesAlike() {
        OffsetVector vector = new OffsetVector(new int[] {0, 2, 5}, new long[] {7, 9, 11});
        ResumeToken fromVector = new ResumeToken(vector);
        ResumeToken fromMap = new ResumeToken(new TreeMap<>(Map.of(0, 7L, 2, 9L, 5, 11L)));
        assertThat(fromVector).isEqualTo(fromMap);
        assertThat(fromMap).isEqualTo(fromVector);
        assertThat(fromVector.hashCode()).isEqualTo(fromMap.hashCode());
        assertThat(fromVector.encode()).isEqualTo(fromMap.encode());
        assertThat(List.copyOf(fromVector.nextOffsets().keySet())).containsExactly(0, 2, 5);
        assertThat(fromVector.nextOffsets().get(2)).isEqualTo(9L);
        assertThat(fromVector.nextOffsets().get(3)).isNull();
        assertThat(fromVector.with(2, 10L)).isEqualTo(new ResumeToken(Map.of(0, 7L, 2, 10L, 5, 11L)));
        assertThat(fromVector.with(4, 1L)).isEqualTo(new ResumeToken(Map.of(0, 7L, 2, 9L, 4, 1L, 5, 11L)));
        // the original is untouched: tokens are values
        assertThat(fromVector.nextOffsets().get(2)).isEqualTo(9L);
        assertThatThrownBy(() -> fromVector.nextOffsets().put(1, 1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> fromVector.nextOffsets().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void textThatIsNotATokenIsRefusedClearly() {
        for (String bad : List.of("", "!!!", "AAAA", "Ag", new ResumeToken(Map.of(1, 5L)).encode() + "gA")) {
            assertThatThrownBy(() -> ResumeToken.decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a resume token");
        }
    }
}
