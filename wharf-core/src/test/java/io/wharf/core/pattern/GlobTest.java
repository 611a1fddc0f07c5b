package io.wharf.core.pattern;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.api.Test;

/** Redis's glob rules, and patterns that made the regular expression it replaced run for minutes. */
class GlobTest {
    private static boolean match(String pattern, String name) {
        return Glob.compile(pattern).matches(name);
    }

    @Test
    void starsAndQuestionMarks() {
        assertThat(match("*", "")).isTrue();
        assertThat(match("*", "anything")).isTrue();
        assertThat(match("h?llo", "hello")).isTrue();
        assertThat(match("h?llo", "hllo")).isFalse();
        assertThat(match("h*llo", "hllo")).isTrue();
        assertThat(match("h*llo", "heeeello")).isTrue();
        assertThat(match("h**llo", "heello")).isTrue();
        assertThat(match("*llo", "hello")).isTrue();
        assertThat(match("hel*", "hello")).isTrue();
        assertThat(match("hel*", "hel")).isTrue();
        assertThat(match("hel*", "he")).isFalse();
        assertThat(match("a*b*c", "axxbyyc")).isTrue();
        assertThat(match("a*b*c", "axxbyy")).isFalse();
        assertThat(match("a*b", "abab")).isTrue();
        assertThat(match("*a*", "bbb")).isFalse();
        assertThat(match("", "")).isTrue();
        assertThat(match("", "a")).isFalse();
        assertThat(match("abc", "abcd")).isFalse();
    }

    @Test
    void setsRangesAndNegation() {
        assertThat(match("h[ae]llo", "hello")).isTrue();
        assertThat(match("h[ae]llo", "hallo")).isTrue();
        assertThat(match("h[ae]llo", "hillo")).isFalse();
        assertThat(match("h[^e]llo", "hallo")).isTrue();
        assertThat(match("h[^e]llo", "hello")).isFalse();
        assertThat(match("h[a-b]llo", "hbllo")).isTrue();
        assertThat(match("h[a-b]llo", "hcllo")).isFalse();
        assertThat(match("h[b-a]llo", "hallo")).as("a reversed range is swapped, as in Redis").isTrue();
        assertThat(match("[a-cx-z0-9]", "y")).isTrue();
        assertThat(match("[a-cx-z0-9]", "5")).isTrue();
        assertThat(match("[a-cx-z0-9]", "m")).isFalse();
        assertThat(match("[^a-c]", "d")).isTrue();
        assertThat(match("[^a-c]", "b")).isFalse();
        assertThat(match("[]", "a")).as("an empty set matches nothing").isFalse();
        assertThat(match("[^]", "a")).isTrue();
        assertThat(match("[\\]]", "]")).isTrue();
        assertThat(match("[\\-]", "-")).isTrue();
        assertThat(match("[\\-]", "a")).isFalse();
        assertThat(match("[abc", "b")).as("an unterminated set ends with the pattern").isTrue();
        assertThat(match("[abc", "[")).isFalse();
        assertThat(match("x[a-]", "x]")).as("Redis reads [a-] as the range a-]").isTrue();
    }

    @Test
    void escapes() {
        assertThat(match("\\*", "*")).isTrue();
        assertThat(match("\\*", "a")).isFalse();
        assertThat(match("a\\?", "a?")).isTrue();
        assertThat(match("a\\?", "ab")).isFalse();
        assertThat(match("\\[a]", "[a]")).isTrue();
        assertThat(match("a\\", "a\\")).as("a trailing backslash is itself").isTrue();
        assertThat(match("topics:*", "topics:orders")).isTrue();
        assertThat(match("topics:ord*", "topics:events")).isFalse();
    }

    @Test
    void manyStarsAgainstLongNamesFinish() {
        String name = "topics:" + "a".repeat(249);
        // each of these kept java.util.regex busy for seconds to minutes on a name like this one
        assertThat(match("*a*a*a*a*b", name)).isFalse();
        assertThat(match("*a*a*a*a*a*a*b", name)).isFalse();
        assertThat(match("*a*a*a*a*a*a*a*a*a*a*a*a*b", name)).isFalse();
        assertThat(match("*a*a*a*a*a*a*", name)).isTrue();
        assertThat(match("*" + "a".repeat(200) + "b", name)).isFalse();
        assertThat(match("*" + "*a".repeat(2000) + "*b", name)).isFalse();
        assertThat(match("*?*?*?*?*?*?*?*?*?*?*[^a]", name)).isFalse();
        assertThat(match("*?*?*?*?*?*?*?*?*?*?*[a]", name)).isTrue();
        assertThat(match("*a*a*a*a*b", name + "b")).isTrue();
    }

    @Test
    void aScanStopsWhenItsStepsAreSpent() {
        Glob glob = Glob.compile("*" + "a".repeat(200) + "b");
        Glob.Scan scan = glob.scan(100_000);
        String name = "topics:" + "a".repeat(249);
        int tried = 0;
        while (!scan.exhausted() && tried < 1000) {
            assertThat(scan.matches(name)).isFalse();
            tried++;
        }
        assertThat(scan.exhausted()).isTrue();
        assertThat(tried).isLessThan(1000);
        assertThat(scan.matches("topics:" + "a".repeat(200) + "b")).as("nothing matches once spent").isFalse();
    }
}
