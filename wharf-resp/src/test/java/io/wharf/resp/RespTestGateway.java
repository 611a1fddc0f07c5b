package io.wharf.resp;

import java.util.function.UnaryOperator;

import io.wharf.core.gateway.Gateway;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * A {@link TestGateway} with the Redis-protocol door's clients at hand. Consumers start from the
 * earliest offset (as Rafka's own test configuration does), so a test may produce before its
 * consumer joins. Either started by a test ({@link #start}) or, registered as an extension
 * ({@link #perClass}), started before a class's tests and closed after them, in front of the shared broker.
 */
final class RespTestGateway implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private final UnaryOperator<TestGateway.Builder> customize;
    private TestGateway gateway;

    private RespTestGateway(UnaryOperator<TestGateway.Builder> customize, TestGateway gateway) {
        this.customize = customize;
        this.gateway = gateway;
    }

    static RespTestGateway start(TestKafka kafka) {
        return start(kafka, UnaryOperator.identity());
    }

    static RespTestGateway start(TestKafka kafka, UnaryOperator<TestGateway.Builder> customize) {
        return new RespTestGateway(customize, build(kafka, customize));
    }

    /** For {@code @RegisterExtension}: one gateway for every test of the class. */
    static RespTestGateway perClass() {
        return perClass(UnaryOperator.identity());
    }

    /** For {@code @RegisterExtension}: one gateway with these settings for every test of the class. */
    static RespTestGateway perClass(UnaryOperator<TestGateway.Builder> customize) {
        return new RespTestGateway(customize, null);
    }

    private static TestGateway build(TestKafka kafka, UnaryOperator<TestGateway.Builder> customize) {
        return customize.apply(TestGateway.builder().kafka(kafka).consumerProperty("auto.offset.reset", "earliest"))
                .start();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        gateway = build(SharedKafka.get(), customize);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    int port() {
        return gateway.port("resp");
    }

    Gateway gateway() {
        return gateway.gateway();
    }

    /** A Jedis client with default settings. */
    Jedis jedis() {
        return new Jedis("127.0.0.1", port());
    }

    /** A Jedis client identified as {@code group:name}, as Rafka consumers are. */
    Jedis consumer(String group, String name) {
        Jedis j = jedis();
        j.clientSetname(group + ":" + name);
        return j;
    }

    RawRespClient raw() {
        return new RawRespClient(port());
    }

    @Override
    public void close() {
        if (gateway != null) {
            gateway.close();
        }
    }
}
