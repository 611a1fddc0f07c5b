package io.wharf.core.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.wharf.core.hub.RecordFilter.Condition;
import io.wharf.core.hub.RecordFilter.HeaderEquals;
import io.wharf.core.hub.RecordFilter.KeyEquals;
import io.wharf.core.hub.RecordFilter.Not;
import org.junit.jupiter.api.Test;

/** Each condition testing itself, filters and filter sets combining them, and the one filter grammar. */
class FilterGrammarTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<HubEvent.Header> headers(String... nameValue) {
        List<HubEvent.Header> list = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            list.add(new HubEvent.Header(nameValue[i], nameValue[i + 1] == null ? null : b(nameValue[i + 1])));
        }
        return list;
    }

    @Test
    void keyEqualsComparesBytesAndNeverMatchesAMissingKey() {
        Condition c = new KeyEquals(b("a"));
        assertThat(c.test(b("a"), List.of())).isTrue();
        assertThat(c.test(b("b"), List.of())).isFalse();
        assertThat(c.test(b("ab"), List.of())).isFalse();
        assertThat(c.test(null, List.of())).isFalse();
        assertThat(new KeyEquals(new byte[0]).test(new byte[0], List.of())).isTrue();
        assertThat(new KeyEquals(new byte[0]).test(null, List.of())).isFalse();
    }

    @Test
    void headerEqualsNeedsNameAndValueOnTheSameHeader() {
        Condition c = new HeaderEquals("color", b("red"));
        assertThat(c.test(null, headers("color", "red"))).isTrue();
        assertThat(c.test(null, headers("size", "big", "color", "blue", "color", "red"))).isTrue();
        assertThat(c.test(null, headers("color", "blue"))).isFalse();
        assertThat(c.test(null, headers("colour", "red"))).isFalse();
        assertThat(c.test(null, headers("color", "blue", "size", "red"))).isFalse();
        assertThat(c.test(b("red"), List.of())).isFalse();
        assertThat(c.test(null, headers("color", null))).isFalse();
        assertThat(new HeaderEquals("color", null).test(null, headers("color", null))).isTrue();
        assertThat(new HeaderEquals("color", null).test(null, headers("color", "red"))).isFalse();
    }

    @Test
    void notInvertsItsCondition() {
        Condition notA = new Not(new KeyEquals(b("a")));
        assertThat(notA.test(b("a"), List.of())).isFalse();
        assertThat(notA.test(b("b"), List.of())).isTrue();
        assertThat(notA.test(null, List.of())).isTrue(); // no key is "not a"
        Condition notRed = new Not(new HeaderEquals("color", b("red")));
        assertThat(notRed.test(null, List.of())).isTrue();
        assertThat(notRed.test(null, headers("color", "red"))).isFalse();
    }

    @Test
    void aFilterNeedsEveryConditionAndAFilterSetSaysWhichFiltersMatched() {
        RecordFilter aAndRed = RecordFilter.of(new KeyEquals(b("a")), new HeaderEquals("color", b("red")));
        assertThat(aAndRed.matches(b("a"), headers("color", "red"))).isTrue();
        assertThat(aAndRed.matches(b("a"), headers("color", "blue"))).isFalse();
        assertThat(aAndRed.matches(b("b"), headers("color", "red"))).isFalse();
        assertThat(RecordFilter.of().matches(null, List.of())).isTrue();

        FilterSet set = new FilterSet(List.of(aAndRed, RecordFilter.of(new Not(new KeyEquals(b("a")))),
                RecordFilter.of(new HeaderEquals("color", b("red")))));
        assertThat(set.evaluate(b("a"), headers("color", "red"))).isEqualTo(0b101);
        assertThat(set.evaluate(b("b"), headers("color", "red"))).isEqualTo(0b110);
        assertThat(set.evaluate(b("a"), List.of())).isZero();
        assertThat(set.matched(0b101)).containsExactly(0, 2);
        assertThat(set).isEqualTo(new FilterSet(List.of(
                RecordFilter.of(new KeyEquals(b("a")), new HeaderEquals("color", b("red"))),
                RecordFilter.of(new Not(new KeyEquals(b("a")))), RecordFilter.of(new HeaderEquals("color", b("red"))))));
        assertThatThrownBy(() -> new FilterSet(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, List<String>> params(String... nameValue) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            map.computeIfAbsent(nameValue[i], k -> new ArrayList<>()).add(nameValue[i + 1]);
        }
        return map;
    }

    @Test
    void queryParametersAreNamesAndedAndValuesOred() {
        assertThat(FilterGrammar.fromParameters(params("start", "earliest", "header.", "x", "keys", "y"))).isEmpty();
        assertThat(FilterGrammar.fromParameters(params("key", "a", "key", "b", "header.type", "x", "key!", "c",
                "key!", "d"))).containsExactly(
                RecordFilter.of(new KeyEquals(b("a")), new HeaderEquals("type", b("x")), new Not(new KeyEquals(b("c"))),
                        new Not(new KeyEquals(b("d")))),
                RecordFilter.of(new KeyEquals(b("b")), new HeaderEquals("type", b("x")), new Not(new KeyEquals(b("c"))),
                        new Not(new KeyEquals(b("d")))));
        assertThat(FilterGrammar.fromParameters(params("header.a.b!", ""))).containsExactly(
                RecordFilter.of(new Not(new HeaderEquals("a.b", new byte[0]))));
    }

    @Test
    void queryParametersExpandingBeyondTheLimitAreRefused() {
        Map<String, List<String>> sixtyFour = params();
        sixtyFour.put("key", List.of("1", "2", "3", "4", "5", "6", "7", "8"));
        sixtyFour.put("header.h", List.of("1", "2", "3", "4", "5", "6", "7", "8"));
        assertThat(FilterGrammar.fromParameters(sixtyFour)).hasSize(64);
        sixtyFour.put("header.g", List.of("1", "2"));
        assertThatThrownBy(() -> FilterGrammar.fromParameters(sixtyFour)).isInstanceOf(FilterGrammar.Invalid.class)
                .hasMessage("the filter parameters expand to more than 64 combinations")
                .extracting(e -> ((FilterGrammar.Invalid) e).code()).isEqualTo("too_many_filters");
        Map<String, List<String>> negations = params();
        List<String> many = new ArrayList<>();
        for (int i = 0; i <= FilterGrammar.MAX_CONDITIONS; i++) {
            many.add("k" + i);
        }
        negations.put("key!", many);
        assertThatThrownBy(() -> FilterGrammar.fromParameters(negations)).isInstanceOf(FilterGrammar.Invalid.class)
                .hasMessage("a filter takes at most 64 conditions");
    }

    @Test
    void theListedFormChecksItsFiltersAndFoldsDoubleNegation() {
        assertThat(FilterGrammar.not(FilterGrammar.not(FilterGrammar.key("a")))).isEqualTo(new KeyEquals(b("a")));
        assertThat(FilterGrammar.not(FilterGrammar.header("h", "v"))).isEqualTo(new Not(new HeaderEquals("h", b("v"))));
        assertThat(FilterGrammar.filter(List.of(FilterGrammar.key("é")))).isEqualTo(RecordFilter.of(
                new KeyEquals("é".getBytes(StandardCharsets.UTF_8))));
        assertThatThrownBy(() -> FilterGrammar.filter(List.of())).isInstanceOf(FilterGrammar.Invalid.class)
                .hasMessage("a filter needs at least one condition")
                .extracting(e -> ((FilterGrammar.Invalid) e).code()).isEqualTo("bad_filter");
        List<Condition> tooMany = new ArrayList<>();
        for (int i = 0; i <= FilterGrammar.MAX_CONDITIONS; i++) {
            tooMany.add(FilterGrammar.key("k" + i));
        }
        assertThatThrownBy(() -> FilterGrammar.filter(tooMany)).isInstanceOf(FilterGrammar.Invalid.class)
                .extracting(e -> ((FilterGrammar.Invalid) e).code()).isEqualTo("too_many_filters");
        List<RecordFilter> filters = new ArrayList<>();
        for (int i = 0; i < FilterGrammar.MAX_FILTERS; i++) {
            filters.add(RecordFilter.of(FilterGrammar.key("k" + i)));
        }
        assertThat(FilterGrammar.filters(filters)).hasSize(64);
        filters.add(RecordFilter.of(FilterGrammar.key("one-more")));
        assertThatThrownBy(() -> FilterGrammar.filters(filters)).isInstanceOf(FilterGrammar.Invalid.class)
                .hasMessage("at most 64 filters");
    }
}
