package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.wharf.core.hub.RecordFilter;
import io.wharf.core.hub.ResumeToken;
import io.wharf.core.hub.StartPosition;
import org.junit.jupiter.api.Test;

/** Query parameters to hub requests: start positions and the filter algebra (names AND-ed, values OR-ed). */
class SubscriptionQueryTest {
    private static SubscriptionQuery parse(String query, String lastEventId) {
        return SubscriptionQuery.parse(new QueryStringDecoder("/t?" + query).parameters(), lastEventId);
    }

    private static RecordFilter.Condition key(String k) {
        return new RecordFilter.KeyEquals(k.getBytes(StandardCharsets.UTF_8));
    }

    private static RecordFilter.Condition header(String n, String v) {
        return new RecordFilter.HeaderEquals(n, v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void repeatedValuesAreOredAndDifferentNamesAnded() {
        SubscriptionQuery q = parse("key=a&key=b&header.type=x&key!=c", null);
        assertThat(q.filters()).containsExactly(
                new RecordFilter(List.of(key("a"), header("type", "x"), new RecordFilter.Not(key("c")))),
                new RecordFilter(List.of(key("b"), header("type", "x"), new RecordFilter.Not(key("c")))));
    }

    @Test
    void startPositionsAndTheirPrecedence() {
        assertThat(parse("", null).start()).isInstanceOf(StartPosition.Live.class);
        assertThat(parse("start=earliest", null).start()).isInstanceOf(StartPosition.Earliest.class);
        assertThat(parse("offset=0", null).start()).isEqualTo(new StartPosition.AtOffset(0));
        assertThat(parse("time=2024-01-31T12:00:00Z", null).start()).isEqualTo(new StartPosition.AtTimestamp(1706702400000L));
        String token = new ResumeToken(Map.of(0, 5L, 1, 7L)).encode();
        assertThat(parse("start=earliest", token).start())
                .isEqualTo(new StartPosition.FromToken(new ResumeToken(Map.of(0, 5L, 1, 7L))));
        assertThat(parse("partition=0,2&partition=3", null).partitions()).containsExactly(0, 2, 3);
    }

    @Test
    void tooManyFilterCombinationsAreRefused() {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            q.append("key=k").append(i).append("&header.h=v").append(i).append("&header.g=w").append(i).append('&');
        }
        assertThatThrownBy(() -> parse(q.toString(), null)).isInstanceOf(ApiError.class)
                .extracting(e -> ((ApiError) e).code()).isEqualTo("too_many_filters");
    }
}
