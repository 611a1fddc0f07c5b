package io.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.wharf.kafka.embedded.EmbeddedKafka;
import io.wharf.kafka.embedded.EmbeddedKafkaSettings;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving every test in the JVM the same embedded broker, started on first use
 * and stopped when the JVM exits. Inject {@link TestKafka} as a parameter, or call {@link #get()}.
 */
public final class SharedKafka implements ParameterResolver {
    private static TestKafka instance;

    /** The shared broker, started on first call. Thread-safe. */
    public static synchronized TestKafka get() {
        if (instance == null) {
            instance = start();
        }
        return instance;
    }

    private static TestKafka start() {
        Path dir;
        try {
            dir = Files.createTempDirectory("wharf-test-kafka");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaSettings.forTests(dir.resolve("kafka")));
        TestKafka kafka = new TestKafka(broker.bootstrapServers());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            broker.close();
            TestDirectories.deleteRecursively(dir);
        }, "shared-kafka-stop"));
        return kafka;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return get();
    }
}
