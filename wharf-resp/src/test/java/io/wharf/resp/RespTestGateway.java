package io.wharf.resp;

import java.util.Map;
import java.util.function.UnaryOperator;

import io.wharf.core.config.KafkaSettings;
import io.wharf.core.config.WharfConfig;
import io.wharf.core.gateway.Gateway;
import io.wharf.testkit.TestKafka;
import redis.clients.jedis.Jedis;

/**
 * A real gateway with the Redis-protocol door on a free port, in front of the shared test broker.
 * Consumers start from the earliest offset (as Rafka's own test configuration does), so a test
 * may produce before its consumer joins.
 */
final class RespTestGateway implements AutoCloseable {
    private final Gateway gateway;

    private RespTestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    static RespTestGateway start(TestKafka kafka) {
        return start(kafka, UnaryOperator.identity());
    }

    static RespTestGateway start(TestKafka kafka, UnaryOperator<WharfConfig> customize) {
        WharfConfig config = WharfConfig.defaults().withBootstrapServers(kafka.bootstrapServers()).withEphemeralPorts()
                .withKafka(new KafkaSettings(null, null, Map.of("auto.offset.reset", "earliest"), null, null));
        return new RespTestGateway(Gateway.start(customize.apply(config)));
    }

    int port() {
        return gateway.endpoint("resp").port();
    }

    Gateway gateway() {
        return gateway;
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
