package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AccessSettings.Limits;
import io.wharf.core.config.AccessSettings.Rule;
import io.wharf.core.config.AccessSettings.Where;
import io.wharf.core.config.AuthSettings;
import io.wharf.resp.RawRespClient.Err;
import io.wharf.resp.RawRespClient.Simple;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Access rules on the RESP door over real sockets: each principal x each operation, allowed with
 * its exact result or refused with its exact {@code NOPERM}; a tenant never receives another
 * tenant's record (also after rejoining its group, and on a compacted topic); per-principal limits.
 */
@ExtendWith(SharedKafka.class)
class RespAccessTest {
    private static final AccessSettings ACCESS = new AccessSettings(true, Map.of("customer", List.of("alice", "bob")),
            List.of(new Rule(List.of("reader"), List.of("orders-*"), List.of("readers-*"), List.of("consume", "describe"),
                            null),
                    new Rule(List.of("writer"), List.of("orders-*"), null, List.of("produce"), null),
                    new Rule(List.of("auditor"), List.of("orders-*"), null, List.of("consume"), null),
                    new Rule(List.of("auditor"), null, List.of("audit-*"), List.of("join"), null),
                    new Rule(List.of("role:customer"), List.of("shared-*"), List.of("${sub}-*"),
                            List.of("consume", "produce"), new Where("${sub}", null)),
                    new Rule(List.of("tenant-a"), List.of("tenant-a.*"), List.of("tenant-a-*"),
                            List.of("consume", "produce"), null),
                    new Rule(List.of("tenant-b"), List.of("tenant-b.*"), List.of("billing"),
                            List.of("consume", "produce"), null),
                    new Rule(List.of("anonymous"), List.of("public-*"), List.of("anon-*"), List.of("consume"), null),
                    new Rule(List.of("limited"), List.of("limited-*"), List.of("limited-*"),
                            List.of("consume", "produce"), null)),
            Map.of("limited", new Limits(2, 1L, null, 1)), null);
    private static final Map<String, String> USERS = Map.of("reader", "r", "writer", "w", "auditor", "au", "alice", "al",
            "bob", "bo", "tenant-a", "ta", "tenant-b", "tb", "stranger", "st", "limited", "li");

    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(
            g -> g.auth(new AuthSettings(null, USERS, null)).access(ACCESS));
    private static final TestKafka kafka = SharedKafka.get();

    private static RawRespClient as(String user) {
        RawRespClient c = gateway.raw();
        if (user != null) {
            assertThat(c.call("AUTH", user, USERS.get(user))).isEqualTo(new Simple("OK"));
        }
        return c;
    }

    /** A client of {@code user} (null: anonymous) named {@code group:name}. */
    private static RawRespClient consumer(String user, String group) {
        RawRespClient c = as(user);
        assertThat(c.call("CLIENT", "SETNAME", group + ":" + user)).isEqualTo(new Simple("OK"));
        return c;
    }

    /** The value of a BLPOP reply (field/value pairs), or null for nil. */
    private static String value(Object reply) {
        if (reply == RawRespClient.NIL) {
            return null;
        }
        assertThat(reply).as("a record").isInstanceOf(List.class);
        List<Object> items = RawRespClient.list(reply);
        for (int i = 0; i < items.size(); i += 2) {
            if (String.valueOf(items.get(i)).equalsIgnoreCase("value")) {
                return String.valueOf(items.get(i + 1));
            }
        }
        throw new AssertionError("no value in " + reply);
    }

    private static long offset(Object reply) {
        List<Object> items = RawRespClient.list(reply);
        for (int i = 0; i < items.size(); i += 2) {
            if (String.valueOf(items.get(i)).equalsIgnoreCase("offset")) {
                return (Long) items.get(i + 1);
            }
        }
        throw new AssertionError("no offset in " + reply);
    }

    private static List<String> keys(RawRespClient c) {
        List<String> keys = new ArrayList<>();
        RawRespClient.list(c.call("KEYS", "topics:")).forEach(k -> keys.add(String.valueOf(k)));
        return keys;
    }

    private static Err noperm(String text) {
        return new Err("NOPERM " + text);
    }

    @Test
    void eachPrincipalMayDoWhatItsRulesGrantAndIsRefusedEverythingElse() {
        String orders = kafka.createTopic("orders", 1);
        String topic = "topics:" + orders;
        try (RawRespClient writer = as("writer"); RawRespClient reader = consumer("reader", "readers-1");
             RawRespClient stranger = as("stranger"); RawRespClient anonymous = consumer(null, "anon-1");
             RawRespClient auditor = consumer("auditor", "audit-1")) {
            // produce
            assertThat(writer.call("RPUSH", topic, "order-1")).isEqualTo(1L);
            Err noProduce = noperm("not allowed to produce topic '" + orders + "'");
            assertThat(reader.call("RPUSH", topic, "x")).isEqualTo(noProduce);
            assertThat(reader.call("RPUSHX", topic, "x")).isEqualTo(noProduce);
            assertThat(stranger.call("RPUSH", topic, "x")).isEqualTo(noProduce);
            assertThat(anonymous.call("RPUSHX", topic, "x")).isEqualTo(noProduce);
            // consume, in an own group and a foreign one
            Object record = reader.call("BLPOP", topic, "10");
            assertThat(value(record)).isEqualTo("order-1");
            assertThat(reader.call("RPUSH", "acks", orders + ":0:" + offset(record))).isEqualTo(1L);
            Err noConsume = noperm("not allowed to consume topic '" + orders + "'");
            assertThat(writer.call("CLIENT", "SETNAME", "readers-2:writer")).isEqualTo(new Simple("OK"));
            assertThat(writer.call("BLPOP", topic, "1")).isEqualTo(noConsume);
            assertThat(anonymous.call("BLPOP", topic, "1")).isEqualTo(noConsume);
            assertThat(stranger.call("CLIENT", "SETNAME", "readers-3:stranger")).isEqualTo(new Simple("OK"));
            assertThat(stranger.call("BLPOP", topic, "1")).isEqualTo(noConsume);
            try (RawRespClient foreign = consumer("reader", "billing")) {
                assertThat(foreign.call("BLPOP", topic, "1")).isEqualTo(noperm("not allowed to join group 'billing'"));
                assertThat(foreign.call("BLMPOP", "1", "1", topic, "LEFT", "COUNT", "5"))
                        .isEqualTo(noperm("not allowed to join group 'billing'"));
            }
            // commit: the auditor may join audit-* but not commit there
            Object audited = auditor.call("BLPOP", topic, "10");
            assertThat(value(audited)).isEqualTo("order-1");
            assertThat(auditor.call("RPUSH", "acks", orders + ":0:" + offset(audited)))
                    .isEqualTo(noperm("not allowed to commit group 'audit-1'"));
            // listings: only what each may describe
            assertThat(keys(reader)).contains(topic).allMatch(k -> k.startsWith("topics:orders-"));
            assertThat(keys(writer)).contains(topic).allMatch(k -> k.startsWith("topics:orders-"));
            assertThat(keys(stranger)).isEmpty();
            assertThat(keys(anonymous)).allMatch(k -> k.startsWith("topics:public-"));
            assertThat(reader.call("KEYS", "topics:__consumer*")).isEqualTo(List.of());
            assertThat(reader.call("MONITOR")).isEqualTo(noperm(
                    "MONITOR shows every client's commands and is not allowed while access rules are configured"));
        }
        try (RawRespClient late = consumer("reader", "readers-1")) {
            // the reader's ack was committed: its group starts after order-1
            assertThat(late.call("BLPOP", topic, "0.5")).isEqualTo(RawRespClient.NIL);
        }
    }

    @Test
    void tenantANeitherReadsNorProducesNorJoinsNorSeesTenantB() {
        String privateB = kafka.createTopic("tenant-b.private", 1);
        String ownA = kafka.createTopic("tenant-a.orders", 1);
        try (RawRespClient b = consumer("tenant-b", "billing"); RawRespClient a = consumer("tenant-a", "tenant-a-1");
             RawRespClient aInBilling = consumer("tenant-a", "billing")) {
            assertThat(b.call("RPUSH", "topics:" + privateB, "invoice-1")).isEqualTo(1L);
            assertThat(a.call("RPUSH", "topics:" + privateB, "forged"))
                    .isEqualTo(noperm("not allowed to produce topic '" + privateB + "'"));
            assertThat(a.call("BLPOP", "topics:" + privateB, "1"))
                    .isEqualTo(noperm("not allowed to consume topic '" + privateB + "'"));
            assertThat(a.call("BLPOP", "topics:" + ownA + "," + privateB, "1"))
                    .isEqualTo(noperm("not allowed to consume topic '" + privateB + "'"));
            assertThat(aInBilling.call("BLPOP", "topics:" + ownA, "1"))
                    .isEqualTo(noperm("not allowed to join group 'billing'"));
            List<String> seen = keys(a);
            assertThat(seen).contains("topics:" + ownA).allMatch(k -> k.startsWith("topics:tenant-a."));
            assertThat(seen).noneMatch(k -> k.contains("tenant-b") || k.contains("__consumer_offsets"));
            // tenant-b's own consumer is untouched: it reads invoice-1 first
            assertThat(value(b.call("BLPOP", "topics:" + privateB, "10"))).isEqualTo("invoice-1");
        }
    }

    @Test
    void aTenantBoundToItsKeyNeverReceivesAnotherTenantsRecordNorProducesOne() throws Exception {
        for (boolean compacted : new boolean[] {false, true}) {
            String shared = kafka.createTopic("shared", 1, compacted ? Map.of("cleanup.policy", "compact") : Map.of());
            String topic = "topics:" + shared;
            String group = "alice-g" + (compacted ? "c" : "");
            try (RawRespClient alice = as("alice"); RawRespClient bob = as("bob")) {
                for (String[] r : new String[][] {{"alice", "a1"}, {"bob", "b1"}, {"bob", "b2"}, {"alice", "a2"},
                        {"bob", "b3"}}) {
                    assertThat((r[0].equals("alice") ? alice : bob).call("RPUSH", topic + ":" + r[0], r[1])).isEqualTo(1L);
                }
                Err foreignKey = noperm("not allowed to produce this record key to topic '" + shared
                        + "' (the grant admits only records with the key or headers its rule binds)");
                assertThat(alice.call("RPUSH", topic + ":bob", "forged")).isEqualTo(foreignKey);
                assertThat(alice.call("RPUSHX", topic, "no key")).isEqualTo(noperm("not allowed to produce a record"
                        + " without a key to topic '" + shared + "' (the grant admits only records with the key or"
                        + " headers its rule binds)"));
            }
            try (RawRespClient alice = consumer("alice", group); RawRespClient bobInAlices = consumer("bob", group)) {
                assertThat(bobInAlices.call("BLPOP", topic, "1")).isEqualTo(noperm("not allowed to join group '" + group
                        + "'"));
                Object first = alice.call("BLPOP", topic, "10");
                assertThat(value(first)).isEqualTo("a1");
                Object second = alice.call("BLPOP", topic, "10");
                assertThat(value(second)).isEqualTo("a2");
                assertThat(offset(second)).isEqualTo(3);
                assertThat(alice.call("RPUSH", "acks", shared + ":0:3")).isEqualTo(1L);
                assertThat(alice.call("BLPOP", topic, "0.5")).as("b3 is skipped").isEqualTo(RawRespClient.NIL);
            }
            // the skipped b3 did not hold the commit back: the group committed past it when alice left
            assertThat(committed(group, shared, 5)).isEqualTo(5);
            try (RawRespClient bob = as("bob"); RawRespClient alice = as("alice")) {
                assertThat(bob.call("RPUSH", topic + ":bob", "b4")).isEqualTo(1L);
                assertThat(alice.call("RPUSH", topic + ":alice", "a3")).isEqualTo(1L);
                assertThat(bob.call("RPUSH", topic + ":bob", "b5")).isEqualTo(1L);
            }
            // rejoining the group resumes after what was committed, still only alice's records
            try (RawRespClient alice = consumer("alice", group)) {
                Object resumed = alice.call("BLPOP", topic, "10");
                assertThat(value(resumed)).isEqualTo("a3");
                assertThat(alice.call("RPUSH", "acks", shared + ":0:" + offset(resumed))).isEqualTo(1L);
                assertThat(alice.call("BLPOP", topic, "0.5")).isEqualTo(RawRespClient.NIL);
            }
            assertThat(committed(group, shared, 8)).isEqualTo(8);
        }
    }

    /** The group's committed offset of partition 0 once it reaches {@code expected} (bounded wait), else the last seen. */
    private static long committed(String group, String topic, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long last = -1;
        while (System.nanoTime() < deadline && last != expected) {
            OffsetAndMetadata o = kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition(topic, 0));
            last = o == null ? -1 : o.offset();
            if (last != expected) {
                Thread.sleep(100);
            }
        }
        return last;
    }

    @Test
    void aPrincipalsConnectionsSubscriptionsAndProduceRateAreLimited() {
        String limited = kafka.createTopic("limited", 1);
        String topic = "topics:" + limited;
        try (RawRespClient first = consumer("limited", "limited-1"); RawRespClient second = as("limited");
             RawRespClient third = gateway.raw()) {
            assertThat(third.call("AUTH", "limited", "li")).isEqualTo(new Err(
                    "ERR rate limit: principal 'limited' has its 2 connections open (access.limits.limited.connections)"));
            assertThat(third.call("RPUSH", topic, "x")).as("it stays anonymous")
                    .isEqualTo(noperm("not allowed to produce topic '" + limited + "'"));
            // one record per second, a command may go into debt: 5 records now, then nothing for seconds
            assertThat(first.call("RPUSH", topic, "1", "2", "3", "4", "5")).isEqualTo(5L);
            Object refused = second.call("RPUSHX", topic, "6");
            assertThat(refused).isInstanceOf(Err.class);
            assertThat(((Err) refused).text()).matches("ERR rate limit: principal 'limited' may produce 1 records/s "
                    + "\\(access.limits.limited.produce-records-per-second\\); retry in [1-5]s");
            assertThat(value(first.call("BLPOP", topic, "10"))).isEqualTo("1");
            assertThat(second.call("CLIENT", "SETNAME", "limited-2:b")).isEqualTo(new Simple("OK"));
            assertThat(second.call("BLPOP", topic, "1")).isEqualTo(new Err(
                    "ERR rate limit: principal 'limited' has its 1 subscriptions open (access.limits.limited.subscriptions)"));
        }
        // the connections closed: the principal may connect again
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Object reply = null;
        while (System.nanoTime() < deadline) {
            try (RawRespClient again = gateway.raw()) {
                reply = again.call("AUTH", "limited", "li");
                if (reply.equals(new Simple("OK"))) {
                    break;
                }
            }
        }
        assertThat(reply).isEqualTo(new Simple("OK"));
    }

    @Test
    void withoutCredentialsTheAnonymousConnectionLimitAnswersTheFirstCommandAndCloses() {
        AccessSettings anonymousLimit = new AccessSettings(null, null, null,
                Map.of("anonymous", new Limits(1, null, null, null)), null);
        try (RespTestGateway open = RespTestGateway.start(kafka, g -> g.access(anonymousLimit));
             RawRespClient first = open.raw(); RawRespClient second = open.raw()) {
            assertThat(first.call("PING")).isEqualTo(new Simple("PONG"));
            assertThat(second.call("PING")).isEqualTo(new Err(
                    "ERR rate limit: principal 'anonymous' has its 1 connections open (access.limits.anonymous.connections)"));
            assertThat(second.closedByServer()).isTrue();
            assertThat(first.call("PING")).isEqualTo(new Simple("PONG"));
        }
    }
}
