package io.wharf.core.auth.jwt;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;

import io.wharf.core.config.DurationText;
import io.wharf.core.kafka.Causes;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;

/**
 * The keys served at a JWKS URL: fetched at start-up, every {@code refresh-interval}, and for a token
 * whose {@code kid} is unknown at most once per {@code min-refresh-interval}. Fetches use the JDK
 * HttpClient's async API on the key thread, with a connect timeout, a time limit for the whole answer
 * and a size cap, so no caller ever waits on the network: they get the current ring or a future.
 */
final class JwksUrl implements PublicKeySource {
    private static final Logger LOG = LoggerFactory.getLogger(JwksUrl.class);

    private final URI uri;
    private final Duration timeout;
    private final int maxBytes;
    private final long minRefreshNanos;
    private final LongSupplier nanoClock;
    private final HttpClient client;
    private final ScheduledExecutorService keyThread;
    private final ScheduledFuture<?> schedule;
    private final WarningThrottle warnings = new WarningThrottle(Duration.ofMinutes(1));
    private volatile KeyRing keys = KeyRing.EMPTY;
    private volatile String lastFailure;

    // guards inFlight and lastOnDemandNanos: whether a fetch runs, and when the last on-demand one started
    private final Object fetchLock = new Object();
    private CompletableFuture<Void> inFlight;
    private long lastOnDemandNanos;
    private boolean onDemandYet;

    JwksUrl(URI uri, Duration refreshInterval, Duration minRefreshInterval, Duration timeout, int maxBytes,
            ScheduledExecutorService keyThread, LongSupplier nanoClock) {
        this.uri = uri;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.minRefreshNanos = minRefreshInterval.toNanos();
        this.nanoClock = nanoClock;
        this.client = HttpClient.newBuilder().executor(keyThread).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.keyThread = keyThread;
        synchronized (fetchLock) {
            fetch();
        }
        long every = refreshInterval.toMillis();
        schedule = keyThread.scheduleWithFixedDelay(this::scheduledRefresh, every, every, TimeUnit.MILLISECONDS);
    }

    private void scheduledRefresh() {
        synchronized (fetchLock) {
            if (inFlight == null) {
                fetch();
            }
        }
    }

    @Override
    public KeyRing keys() {
        return keys;
    }

    @Override
    public Optional<CompletableFuture<Void>> refreshForUnknownKey() {
        synchronized (fetchLock) {
            if (inFlight != null) {
                return Optional.of(inFlight);
            }
            long now = nanoClock.getAsLong();
            if (onDemandYet && now - lastOnDemandNanos < minRefreshNanos) {
                return Optional.empty();
            }
            onDemandYet = true;
            lastOnDemandNanos = now;
            return Optional.of(fetch());
        }
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * Starts one fetch and makes it {@code inFlight}; the caller holds {@code fetchLock}. The request is
     * sent from the key thread, so not even a name lookup happens on the caller's.
     */
    private CompletableFuture<Void> fetch() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        inFlight = done;
        try {
            keyThread.execute(() -> send(done));
        } catch (RejectedExecutionException closed) {
            inFlight = null;
            done.cancel(false);
        }
        return done;
    }

    private void send(CompletableFuture<Void> done) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
        CompletableFuture<HttpResponse<byte[]>> sent = client.sendAsync(request,
                info -> info.statusCode() == 200 ? new CappedBody(maxBytes) : HttpResponse.BodySubscribers.replacing(null));
        // HttpRequest.timeout covers the wait for the headers; this covers a body that trickles
        CompletableFuture<HttpResponse<byte[]>> bounded = sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        // on the key thread, so what waits for the keys (re-checking tokens) runs there too
        bounded.whenCompleteAsync((response, failure) -> {
            if (failure != null) {
                sent.cancel(true);
            }
            try {
                String problem = failure != null ? describe(failure) : accept(response);
                if (problem != null) {
                    failed(problem);
                }
            } finally {
                synchronized (fetchLock) {
                    if (inFlight == done) {
                        inFlight = null;
                    }
                }
                done.complete(null);
            }
        }, keyThread);
    }

    /** Takes the keys of an answer; the problem with it, or null. */
    private String accept(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            return "the key set URL answered HTTP " + response.statusCode();
        }
        try {
            KeyRing ring = KeyRing.of(JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8)));
            keys = ring;
            lastFailure = null;
            LOG.debug("event=jwks_fetched url={} keys={}", LogValue.of(uri), ring.size());
            return null;
        } catch (ParseException | JOSEException e) {
            return "the key set is not a valid JWKS document";
        }
    }

    private String describe(Throwable failure) {
        Throwable cause = Causes.unwrap(failure);
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            return "fetching the key set timed out after " + DurationText.format(timeout);
        }
        if (cause instanceof TooLargeException) {
            return cause.getMessage();
        }
        return "fetching the key set failed (" + cause.getClass().getSimpleName() + ")";
    }

    private void failed(String problem) {
        lastFailure = problem;
        long suppressed = warnings.admit();
        if (suppressed >= 0) {
            LOG.warn("event=jwks_fetch_failed url={} reason={} keeping={} suppressed={}", LogValue.of(uri),
                    LogValue.of(problem), keys.size() == 0 ? "no-keys" : "last-good-keys", suppressed);
        }
    }

    @Override
    public void close() {
        schedule.cancel(false);
        synchronized (fetchLock) {
            if (inFlight != null) {
                inFlight.cancel(false);
            }
        }
        // the HttpClient's selector thread is a daemon and ends with the client's last reference
    }

    private static final class TooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLargeException(int maxBytes) {
            super("the key set is larger than " + maxBytes + " bytes (auth.jwt.max-jwks-bytes)", null, false, false);
        }
    }

    /** Collects a body up to a size; past it, cancels the download and fails. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int maxBytes;
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (body.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (out.size() + item.remaining() > maxBytes) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLargeException(maxBytes));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(out.toByteArray());
        }
    }
}
