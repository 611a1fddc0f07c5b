package io.wharf.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing the network threads returns even when a handler never gives its loop back (issue 11, item 2). */
class NetworkThreadsTest {
    @Test
    @Timeout(60)
    void closeReturnsWhileALoopIsStuckInAComputation() throws InterruptedException {
        NetworkThreads network = new NetworkThreads(1);
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch stuck = new CountDownLatch(1);
        network.workers().execute(() -> {
            stuck.countDown();
            while (!release.get()) {
                Thread.onSpinWait(); // a handler that does not return
            }
        });
        try {
            assertThat(stuck.await(10, TimeUnit.SECONDS)).isTrue();
            network.close(); // before: waited for the loop's termination forever
            assertThat(network.workers().isTerminated()).isFalse();
        } finally {
            release.set(true);
        }
        assertThat(network.workers().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
}
