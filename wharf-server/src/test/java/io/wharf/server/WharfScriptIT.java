package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smoke test: the real ./wharf script, its embedded broker, plain Kafka clients, a restart. */
class WharfScriptIT {
    @TempDir
    Path dir;

    @Test
    void runsTheEmbeddedBrokerAndKeepsRecordsAndOffsetsAcrossARestart() throws Exception {
        String[] args = {"--data-dir", dir.resolve("data").toString(), "--kafka-port", "0", "--resp-port", "0",
                "--http-port", "0"};
        try (WharfProcess wharf = WharfProcess.start(args)) {
            String ready = wharf.awaitReady(120);
            assertThat(ready).startsWith("Wharf ready ").contains(" http=127.0.0.1:").contains(" (embedded)");
            Map<String, String> endpoints = wharf.endpoints();
            assertThat(endpoints).containsKeys("http", "kafka");
            assertThat(get(endpoints.get("http"), "/readyz").statusCode()).isEqualTo(200);

            String kafka = endpoints.get("kafka");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka))) {
                admin.createTopics(List.of(new NewTopic("smoke", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props(kafka), new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>("smoke", "k", "first")).get();
                producer.send(new ProducerRecord<>("smoke", "k", "second")).get();
            }
            try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
                assertThat(readAll(consumer)).containsExactly("first", "second");
                consumer.commitSync(Map.of(new TopicPartition("smoke", 0), new OffsetAndMetadata(1)));
            }
            assertThat(wharf.terminate()).isZero();
            assertThat(wharf.stderr()).anyMatch(l -> l.contains("stopped"));
        }

        try (WharfProcess wharf = WharfProcess.start(args)) {
            wharf.awaitReady(120);
            String kafka = wharf.endpoints().get("kafka");
            try (KafkaConsumer<String, String> consumer = consumer(kafka)) {
                TopicPartition tp = new TopicPartition("smoke", 0);
                assertThat(consumer.committed(Set.of(tp)).get(tp).offset()).isEqualTo(1);
                assertThat(readAll(consumer)).containsExactly("first", "second");
            }
            assertThat(wharf.terminate()).isZero();
        }
    }

    @Test
    void aTakenPortIsOneLineAndLeavesNothingRunning() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
             WharfProcess wharf = WharfProcess.start("--data-dir", dir.resolve("data").toString(), "--kafka-port", "0",
                     "--resp-port", "0", "--http-port", String.valueOf(taken.getLocalPort()))) {
            assertThat(wharf.awaitExit(120)).isEqualTo(1);
            assertThat(wharf.stderr()).contains("wharf: port " + taken.getLocalPort() + " (http on 127.0.0.1) is already in use");
            assertThat(wharf.stdout()).noneMatch(l -> l.startsWith("Wharf ready"));
        }
    }

    @Test
    void badCommandLinesAndConfigsExitNonZeroWithOneLine() throws Exception {
        assertOneLineFailure(2, "wharf: Unknown option: '--verbose' (see ./wharf --help)", "--verbose");
        assertOneLineFailure(2, "wharf: invalid configuration: http-port: 65536 is out of range (0-65535, 0 = a free port)",
                "--http-port", "65536");
        Path yaml = java.nio.file.Files.writeString(dir.resolve("bad.yaml"), "resp:\n  max-bulk: 1\n");
        assertOneLineFailure(2, "wharf: invalid configuration: unknown key 'resp.max-bulk'", "--config", yaml.toString());
        Path notYaml = java.nio.file.Files.writeString(dir.resolve("not.yaml"), "resp-port: [\n");
        assertOneLineFailure(2, "wharf: config file '" + notYaml + "' is not valid YAML", "--config", notYaml.toString());
        Path file = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
        assertOneLineFailure(1, "wharf: data directory " + file.resolve("data") + " is not writable",
                "--data-dir", file.resolve("data").toString());
        Path quick = java.nio.file.Files.writeString(dir.resolve("quick.yaml"), "kafka:\n  startup-timeout: 2s\n");
        assertOneLineFailure(1, "wharf: Kafka at 127.0.0.1:1 did not answer within 2s", "--bootstrap-servers",
                "127.0.0.1:1", "--config", quick.toString(), "--data-dir", dir.resolve("data").toString());
        assertOneLineFailure(1, "wharf: bootstrap-servers: host no-such-host.invalid does not resolve (DNS lookup failed)",
                "--bootstrap-servers", "no-such-host.invalid:9092", "--data-dir", dir.resolve("data").toString());
    }

    private static void assertOneLineFailure(int code, String firstLinePrefix, String... args) throws Exception {
        try (WharfProcess wharf = WharfProcess.start(args)) {
            assertThat(wharf.awaitExit(60)).as("exit code of %s", List.of(args)).isEqualTo(code);
            List<String> errors = wharf.stderr().stream().filter(l -> l.startsWith("wharf: ")).toList();
            assertThat(errors).hasSize(1);
            assertThat(errors.get(0)).startsWith(firstLinePrefix);
            assertThat(wharf.stderr()).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread"));
        }
    }

    private static HttpResponse<String> get(String hostPort, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Properties props(String kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        return p;
    }

    private static KafkaConsumer<String, String> consumer(String kafka) {
        Properties p = props(kafka);
        p.put("group.id", "smoke-group");
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static List<String> readAll(KafkaConsumer<String, String> consumer) {
        TopicPartition tp = new TopicPartition("smoke", 0);
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<String> values = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < 2 && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                values.add(r.value());
            }
        }
        return values;
    }
}
