package io.wharf.resp;

import java.util.function.UnaryOperator;

import io.wharf.core.gateway.Gateway;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import redis.clients.jedis.Jedis;

/**
 * A {@link TestGateway} with the Redis-protocol door's clients at hand. Consumers start from the
 * earliest offset (as Rafka's own test configuration does), so a test may produce before its
 * consumer joins.
 */
final class RespTestGateway implements AutoCloseable {
    private final TestGateway gateway;

    private RespTestGateway(TestGateway gateway) {
        this.gateway = gateway;
    }

    static RespTestGateway start(TestKafka kafka) {
        return start(kafka, UnaryOperator.identity());
    }

    static RespTestGateway start(TestKafka kafka, UnaryOperator<TestGateway.Builder> customize) {
        return new RespTestGateway(customize.apply(TestGateway.builder().kafka(kafka)
                .consumerProperty("auto.offset.reset", "earliest")).start());
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
        gateway.close();
    }
}
