package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.wharf.core.hub.RecordFilter;
import org.junit.jupiter.api.Test;

/** The filters of a WebSocket subscribe message: extracted from JSON here, checked by the hub's one grammar. */
class NativeMessageFilterTest {
    private static NativeMessage.Subscribe subscribe(String filters) {
        return (NativeMessage.Subscribe) NativeMessage.parse(
                "{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"t\",\"filters\":" + filters + "}");
    }

    private static void refused(String filters, String code, String message) {
        assertThatThrownBy(() -> subscribe(filters)).isInstanceOf(NativeMessage.Invalid.class)
                .satisfies(e -> {
                    NativeMessage.Invalid invalid = (NativeMessage.Invalid) e;
                    assertThat(invalid.id()).isEqualTo("s");
                    assertThat(invalid.error().code()).isEqualTo(code);
                    assertThat(invalid.error().getMessage()).isEqualTo(message);
                });
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void listsOfConditionsBecomeFilters() {
        assertThat(subscribe("[[{\"key\":\"a\"}],{\"header\":\"h\",\"value\":\"v\"},"
                + "[{\"not\":{\"key\":\"b\"}},{\"not\":{\"not\":{\"header\":\"x\",\"value\":\"\"}}}]]").filters())
                .containsExactly(
                        RecordFilter.of(new RecordFilter.KeyEquals(b("a"))),
                        RecordFilter.of(new RecordFilter.HeaderEquals("h", b("v"))),
                        RecordFilter.of(new RecordFilter.Not(new RecordFilter.KeyEquals(b("b"))),
                                new RecordFilter.HeaderEquals("x", new byte[0])));
        assertThat(subscribe("null").filters()).isEmpty();
        assertThat(subscribe("[]").filters()).isEmpty();
    }

    @Test
    void malformedFiltersAreRefusedWithTheirTexts() {
        refused("{}", "bad_filter", "filters must be a list; each filter a list of conditions");
        refused("[[]]", "bad_filter", "a filter needs at least one condition");
        refused("[[{\"key\":1}]]", "bad_filter",
                "a condition is {\"key\": k}, {\"header\": name, \"value\": v} or {\"not\": condition}");
        refused("[[{\"header\":\"h\"}]]", "bad_filter",
                "a condition is {\"key\": k}, {\"header\": name, \"value\": v} or {\"not\": condition}");
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("[{\"key\":\"k").append(i).append("\"}]");
        }
        refused(many.append(']').toString(), "too_many_filters", "at most 64 filters");
        StringBuilder wide = new StringBuilder("[[");
        for (int i = 0; i < 65; i++) {
            wide.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\"}");
        }
        refused(wide.append("]]").toString(), "too_many_filters", "a filter takes at most 64 conditions");
    }
}
