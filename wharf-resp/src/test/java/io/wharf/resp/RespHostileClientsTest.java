package io.wharf.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.wharf.resp.config.RespSettings;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that try to stall or exhaust the door, each next to a well-behaved one on the same
 * network thread (one I/O thread): a KEYS pattern that made the regular expression backtrack for
 * minutes, a consumer that never reads its replies, many connections each holding a large
 * half-sent command, and a command that never completes.
 */
class RespHostileClientsTest {
    private static final int MAX_OUTPUT = 256 * 1024;
    private static final int MAX_BULK = 128 * 1024;
    private static final long BUDGET = 1024 * 1024;

    @RegisterExtension
    static final RespTestGateway gateway = RespTestGateway.perClass(g -> g.ioThreads(1).update(RespSettings.class,
            r -> r.withMaxBulkBytes(MAX_BULK).withOutputLimit(MAX_OUTPUT, Duration.ofSeconds(3))
                    .withRequestLimits(BUDGET, Duration.ofSeconds(2))));

    private final TestKafka kafka = SharedKafka.get();

    private MeterRegistry registry() {
        return gateway.gateway().context().metrics().registry();
    }

    private double counter(String name, String... tags) {
        var c = registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aManyStarKeysPatternAnswersAndOtherConnectionsKeepBeingServed() throws Exception {
        // digits only after the a's: nothing in this name is a 'b'
        String topic = "a".repeat(225) + System.nanoTime();
        kafka.createTopicNamed(topic, 1, Map.of());
        try (RawRespClient hostile = gateway.raw(); RawRespClient neighbour = gateway.raw()) {
            CompletableFuture<Object> keys = CompletableFuture.supplyAsync(
                    () -> hostile.call("KEYS", "*a*a*a*a*a*a*a*a*b"));
            for (int i = 0; i < 50; i++) {
                assertThat(neighbour.call("PING")).isEqualTo(new RawRespClient.Simple("PONG"));
            }
            assertThat(RawRespClient.list(keys.get(30, TimeUnit.SECONDS))).doesNotContain("topics:" + topic);
            assertThat(RawRespClient.list(hostile.call("KEYS", "topics:a*a*a*a*a*a*a*" + topic.substring(225))))
                    .containsExactly("topics:" + topic);
            assertThat(RawRespClient.list(hostile.call("KEYS", "topics:[a-a][^b]?" + "*" + topic.substring(225))))
                    .containsExactly("topics:" + topic);
            assertThat(hostile.call("KEYS", "*".repeat(5000))).isEqualTo(new RawRespClient.Err(
                    "ERR KEYS pattern of 5000 bytes is longer than the limit of 4096 bytes"));
            assertThat(hostile.call("PING")).isEqualTo(new RawRespClient.Simple("PONG"));
        }
    }

    @Test
    void aConsumerThatNeverReadsIsHeldToTheOutputLimitThenClosedAndItsRecordsRedelivered() throws Exception {
        String topic = kafka.createTopic("never-reads", 1);
        byte[] value = "v".repeat(1000).getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (int i = 0; i < 4_000; i++) {
                producer.send(new ProducerRecord<>(topic, value));
            }
            producer.flush();
        }
        double closedBefore = counter("wharf.resp.slow.clients.closed");
        try (Socket slow = new Socket(); RawRespClient neighbour = gateway.raw()) {
            slow.setReceiveBufferSize(16 * 1024);
            slow.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
            OutputStream out = slow.getOutputStream();
            InputStream in = slow.getInputStream();
            out.write(RawRespClient.encode("CLIENT", "SETNAME", "never-reads:slow"));
            out.flush();
            assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("+OK\r\n");
            byte[] blmpop = RawRespClient.encode("BLMPOP", "10", "1", "topics:" + topic, "LEFT", "COUNT", "200");
            for (int i = 0; i < 1024; i++) {
                out.write(blmpop);
            }
            out.flush();
            // while it does not read: the most it is holding, seen from a well-behaved connection
            long largest = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (counter("wharf.resp.slow.clients.closed") == closedBefore) {
                assertThat(System.nanoTime()).as("the slow client was closed within 30 s").isLessThan(deadline);
                largest = Math.max(largest, infoField(neighbour, "client_recent_max_output_buffer"));
                assertThat(neighbour.call("PING")).isEqualTo(new RawRespClient.Simple("PONG"));
                Thread.sleep(50);
            }
            // one reply of 200 records of 1000 bytes is about 210 KB: the limit plus one reply at most
            assertThat(largest).as("bytes held for the client that does not read").isGreaterThan(MAX_OUTPUT / 2)
                    .isLessThan(MAX_OUTPUT + 300_000);
            assertThat(counter("wharf.resp.slow.clients.closed")).isEqualTo(closedBefore + 1);
            assertThat(readsToEnd(in)).as("the server closed the connection").isTrue();
        }
        // it acknowledged nothing, so nothing was committed: the group reads from the first record again
        try (RawRespClient next = gateway.raw()) {
            next.call("CLIENT", "SETNAME", "never-reads:next");
            List<Object> record = RawRespClient.list(next.call("BLPOP", "topics:" + topic, "20"));
            assertThat(record.subList(0, 6)).containsExactly("topic", topic, "partition", 0L, "offset", 0L);
        }
    }

    private static boolean readsToEnd(InputStream in) {
        byte[] skip = new byte[64 * 1024];
        try {
            while (in.read(skip) >= 0) {
                // what was written before the close
            }
            return true;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    private static long infoField(RawRespClient client, String field) {
        String info = (String) client.call("INFO", "clients");
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1));
            }
        }
        throw new AssertionError(field + " missing from INFO clients: " + info);
    }

    @Test
    void halfSentCommandsShareOneBudgetAndTimeOutWhileOthersAreServed() throws Exception {
        double budgetRefusals = counter("wharf.resp.requests.refused", "limit", "max-buffered-request-bytes");
        double timeouts = counter("wharf.resp.requests.refused", "limit", "request-timeout");
        List<RawRespClient> hogs = new ArrayList<>();
        try (RawRespClient neighbour = gateway.raw()) {
            // 12 connections, each 100 KB into a 128 KB value: more than the 1 MiB budget together
            for (int i = 0; i < 12; i++) {
                RawRespClient hog = gateway.raw();
                hogs.add(hog);
                hog.writeRaw("*3\r\n$6\r\nRPUSHX\r\n$8\r\ntopics:t\r\n$" + MAX_BULK + "\r\n" + "h".repeat(100_000));
            }
            await(() -> bufferedRequestBytes() > BUDGET, "the budget to fill");
            assertThat(neighbour.call("PING")).as("complete commands need no budget").isEqualTo(
                    new RawRespClient.Simple("PONG"));
            assertThat(neighbour.call("ECHO", "still here")).isEqualTo("still here");
            assertThat(bufferedRequestBytes()).as("bounded by the budget plus one read per connection")
                    .isLessThan(BUDGET + 12 * 64 * 1024);
            int refusedForBudget = 0;
            for (RawRespClient hog : hogs) {
                String error = ((RawRespClient.Err) hog.read()).text();
                if (error.contains("resp.max-buffered-request-bytes")) {
                    assertThat(error).isEqualTo("ERR Protocol error: the server's buffer for incomplete commands is full"
                            + " (1048576 bytes, resp.max-buffered-request-bytes); try again later");
                    refusedForBudget++;
                } else {
                    assertThat(error).isEqualTo(
                            "ERR Protocol error: command not received completely within 2000 ms (resp.request-timeout)");
                }
                assertThat(hog.closedByServer()).isTrue();
            }
            assertThat(refusedForBudget).as("the connections that found the budget spent").isBetween(1, 11);
            await(() -> bufferedRequestBytes() == 0, "every share of the budget to be freed");
            assertThat(counter("wharf.resp.requests.refused", "limit", "max-buffered-request-bytes"))
                    .isEqualTo(budgetRefusals + refusedForBudget);
            assertThat(counter("wharf.resp.requests.refused", "limit", "request-timeout"))
                    .isEqualTo(timeouts + 12 - refusedForBudget);
            assertThat(neighbour.call("PING")).isEqualTo(new RawRespClient.Simple("PONG"));
        } finally {
            hogs.forEach(RawRespClient::close);
        }
    }

    private double bufferedRequestBytes() {
        return registry().find("wharf.resp.buffered.request.bytes").gauge().value();
    }

    @Test
    void aHalfSentArrayIsClosedAfterTheRequestTimeoutAndIdleConnectionsAreNot() throws Exception {
        try (RawRespClient idle = gateway.raw(); RawRespClient half = gateway.raw()) {
            assertThat(idle.call("PING")).isEqualTo(new RawRespClient.Simple("PONG"));
            half.writeRaw("*3\r\n$4\r\nECHO\r\n");
            assertThat(half.read()).isEqualTo(new RawRespClient.Err(
                    "ERR Protocol error: command not received completely within 2000 ms (resp.request-timeout)"));
            assertThat(half.closedByServer()).isTrue();
            Thread.sleep(500);
            assertThat(idle.call("PING")).as("idle for longer than the request timeout, and still open")
                    .isEqualTo(new RawRespClient.Simple("PONG"));
        }
    }
}
