package io.wharf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.wharf.kafka.embedded.EmbeddedKafka;
import io.wharf.kafka.embedded.EmbeddedKafkaSettings;
import io.wharf.kafka.embedded.TopicWritability;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The broker a scenario measures against: the embedded one in a temporary directory (the default),
 * or an external cluster given with {@code --bootstrap-servers}.
 */
public final class BenchKafka implements AutoCloseable {
    private final EmbeddedKafka broker;
    private final Path dir;
    private final String bootstrapServers;
    private final Admin admin;

    private BenchKafka(EmbeddedKafka broker, Path dir, String bootstrapServers) {
        this.broker = broker;
        this.dir = dir;
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
    }

    /** Starts an embedded broker, unless the args name an external cluster. */
    public static BenchKafka start(BenchArgs args) throws IOException {
        String external = args.text("bootstrap-servers", null);
        if (external != null) {
            return new BenchKafka(null, null, external);
        }
        Path dir = Files.createTempDirectory("wharf-bench-kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaSettings.forTests(dir.resolve("kafka")));
        return new BenchKafka(broker, dir, broker.bootstrapServers());
    }

    /** {@code host:port} of the broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic with a fresh name and returns it. */
    public String createTopic(String prefix, int partitions, Map<String, String> configs) throws Exception {
        String name = prefix + "-" + System.nanoTime();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        TopicWritability.await(admin, name, java.time.Duration.ofSeconds(60));
        return name;
    }

    /** The shared admin client. */
    public Admin admin() {
        return admin;
    }

    @Override
    public void close() {
        admin.close();
        if (broker != null) {
            broker.close();
        }
        if (dir != null) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp dir left behind does not change a result
            }
        }
    }
}
