package io.wharf.resp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import io.wharf.resp.protocol.RespRequest;
import org.junit.jupiter.api.Test;

/** MONITOR lines: Redis's format, escaped arguments, credentials redacted. */
class MonitorFeedTest {
    private static final Instant AT = Instant.ofEpochSecond(1_700_000_000L, 1_234_000);

    @Test
    void formatsLikeRedisAndHidesCredentials() {
        assertThat(MonitorFeed.format(AT, "127.0.0.1:5000", RespRequest.of("RPUSHX", "topics:t", "a \"b\"\n\u0001")))
                .isEqualTo("1700000000.001234 [0 127.0.0.1:5000] \"RPUSHX\" \"topics:t\" \"a \\\"b\\\"\\n\\x01\"");
        assertThat(MonitorFeed.format(AT, "c", RespRequest.of("auth", "user", "pw")))
                .isEqualTo("1700000000.001234 [0 c] \"auth\" \"(redacted)\" \"(redacted)\"");
        assertThat(MonitorFeed.format(AT, "c", RespRequest.of("HELLO", "3", "AUTH", "user", "pw", "SETNAME", "g:n")))
                .isEqualTo("1700000000.001234 [0 c] \"HELLO\" \"3\" \"AUTH\" \"(redacted)\" \"(redacted)\" \"(redacted)\" \"(redacted)\"");
    }
}
