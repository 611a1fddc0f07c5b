package io.wharf.core.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogValueTest {
    @Test
    void plainTextIsKept() {
        assertThat(LogValue.of("tenant-a")).isEqualTo("tenant-a");
        assertThat(LogValue.of("café")).isEqualTo("café");
    }

    @Test
    void aNewlineCannotStartAForgedLine() {
        String forged = LogValue.of("bob\n2026-12-01 INFO event=resp-auth-ok user=admin");
        assertThat(forged).doesNotContain("\n").startsWith("bob\\n2026");
        assertThat(LogValue.of("a\"b\\c\r\u0000\u001b")).isEqualTo("a\\\"b\\\\c\\r\\u0000\\u001b");
    }

    @Test
    void longTextIsCut() {
        String s = LogValue.of("x".repeat(10_000));
        assertThat(s).startsWith("x".repeat(LogValue.MAX_CHARS)).endsWith("...(" + (10_000 - LogValue.MAX_CHARS) + " more chars)");
    }
}
