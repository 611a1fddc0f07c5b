package io.wharf.relay;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.wharf.relay.config.PollerSettings;
import io.wharf.relay.config.RelaySettings;
import io.wharf.relay.config.RetrySettings;
import io.wharf.relay.config.WebhookRouteSettings;
import io.wharf.testkit.gateway.TestGateway;

/**
 * A gateway in its own process, for the crash test: one route against the shared broker. It prints
 * {@code RELAY-READY} once started and stops cleanly on SIGTERM; SIGKILL is what the test is about.
 *
 * <p>Arguments: bootstrap servers, source topic, endpoint URL, dead-letter topic, response topic,
 * instance id, then (optional) a feed URL, the topic its elements go to and the poller state topic.
 */
public final class RelayProcess {
    private RelayProcess() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        WebhookRouteSettings route = new WebhookRouteSettings("crash", List.of(args[1]), "wharf-relay-crash",
                URI.create(args[2]), null, null, Duration.ofSeconds(1), Duration.ofSeconds(2), 200, null, null, null,
                null, new RetrySettings(200, Duration.ofMinutes(30), Duration.ofMillis(50), Duration.ofSeconds(1), 2.0, 0.3),
                args[3], args[4], null, Duration.ofMillis(200), Duration.ofSeconds(3), null);
        TestGateway gateway = TestGateway.builder().bootstrapServers(bootstrap)
                .with(RelaySettings.class, new RelaySettings(args[5], List.of(route), args.length > 8 ? List.of(new PollerSettings("feed",
                        URI.create(args[6]), args[7], Duration.ofMillis(100), null, Duration.ofSeconds(2), "array", "/items",
                        "id", "id", "since", args[8], null)) : null)).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            stopped.countDown();
        }, "relay-process-stop"));
        System.out.println("RELAY-READY");
        System.out.flush();
        stopped.await();
    }
}
