package io.wharf.resp.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import io.wharf.core.access.ClientAccess;
import io.wharf.core.pattern.Glob;
import io.wharf.resp.protocol.RespValue;
import org.junit.jupiter.api.Test;

class KeysScanTest {
    private static final ClientAccess ALL = ClientAccess.unrestricted("resp");

    @Test
    void keysRefusesTooCostlyScansAndTooManyTopics() {
        ServerCommands commands = new ServerCommands(null, null, null, 10, 5_000);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            names.add("a".repeat(240) + i);
        }
        RespValue costly = commands.matching(Glob.compile("*" + "a".repeat(100) + "b"), names, ALL);
        assertThat(costly).isInstanceOf(RespValue.Error.class);
        assertThat(((RespValue.Error) costly).text())
                .isEqualTo("ERR KEYS pattern needs more than 20000000 matching steps over 3000 topics; use fewer wildcards");

        RespValue plain = commands.matching(Glob.compile("topics:*9"), names, ALL);
        assertThat(((RespValue.Array) plain).items()).hasSize(300);

        List<String> many = new ArrayList<>(names);
        many.addAll(names);
        RespValue tooMany = commands.matching(null, many, ALL);
        assertThat(((RespValue.Error) tooMany).text())
                .isEqualTo("ERR KEYS would scan 6000 topics, more than the limit of 5000 (resp.max-keys-topics)");
    }
}
