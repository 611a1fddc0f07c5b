package io.wharf.http;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.wharf.core.config.Section;
import io.wharf.core.tls.TlsSettings;

/**
 * The HTTP front door (REST, Server-Sent Events, WebSocket, health and metrics) and its limits.
 *
 * @param enabled              whether to listen at all
 * @param maxBodyBytes         largest request body accepted (413 beyond)
 * @param maxConnections       open connections beyond this are refused with 503
 * @param maxFrameBytes        largest WebSocket message accepted (close 1009 beyond)
 * @param idleTimeout          an HTTP connection with no request in progress for this long is closed
 * @param websocketIdleTimeout a WebSocket from which nothing (not even a pong) arrives for this long is
 *                             closed; the server pings at half this interval
 * @param outboundBufferBytes  bytes queued for one connection before deliveries to it pause
 * @param slowClientTimeout    a connection whose outbound buffer stays full this long is disconnected
 * @param maxInFlight          produce requests of one connection awaiting Kafka before it stops reading
 * @param longPollMaxWait      longest {@code wait} a long poll may ask for
 * @param heartbeatInterval    how often an idle Server-Sent Events stream gets a comment line
 * @param requestHeaderTimeout the whole request line and headers must arrive within this from the
 *                             request's first byte (408 and close beyond), however the bytes trickle in
 * @param minBodyBytesPerSecond a request body must arrive at least this fast, measured over each
 *                             {@code bodyRateWindow} (close beyond); 0 turns the check off
 * @param bodyRateWindow       the interval the body rate is measured over; the first is the grace period
 * @param cors                 which browser pages of other origins may use the door, and open its WebSockets
 * @param tls                  HTTPS (and WSS, SSE over TLS): off unless a certificate is given
 */
public record HttpSettings(Boolean enabled, Integer maxBodyBytes, Integer maxConnections, Integer maxFrameBytes,
                           Duration idleTimeout, Duration websocketIdleTimeout, Integer outboundBufferBytes,
                           Duration slowClientTimeout, Integer maxInFlight, Duration longPollMaxWait,
                           Duration heartbeatInterval, Duration requestHeaderTimeout, Integer minBodyBytesPerSecond,
                           Duration bodyRateWindow, CorsSettings cors, TlsSettings tls) implements Section {
    @JsonCreator
    public HttpSettings {
        enabled = enabled == null || enabled;
        maxBodyBytes = maxBodyBytes == null ? 8 * 1024 * 1024 : maxBodyBytes;
        maxConnections = maxConnections == null ? 20_000 : maxConnections;
        maxFrameBytes = maxFrameBytes == null ? 2 * 1024 * 1024 : maxFrameBytes;
        idleTimeout = idleTimeout == null ? Duration.ofSeconds(60) : idleTimeout;
        websocketIdleTimeout = websocketIdleTimeout == null ? Duration.ofSeconds(120) : websocketIdleTimeout;
        outboundBufferBytes = outboundBufferBytes == null ? 256 * 1024 : outboundBufferBytes;
        slowClientTimeout = slowClientTimeout == null ? Duration.ofSeconds(60) : slowClientTimeout;
        maxInFlight = maxInFlight == null ? 1024 : maxInFlight;
        longPollMaxWait = longPollMaxWait == null ? Duration.ofSeconds(60) : longPollMaxWait;
        heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(15) : heartbeatInterval;
        requestHeaderTimeout = requestHeaderTimeout == null ? Duration.ofSeconds(10) : requestHeaderTimeout;
        minBodyBytesPerSecond = minBodyBytesPerSecond == null ? 1024 : minBodyBytesPerSecond;
        bodyRateWindow = bodyRateWindow == null ? Duration.ofSeconds(10) : bodyRateWindow;
        cors = cors == null ? CorsSettings.defaults() : cors;
        tls = tls == null ? TlsSettings.off() : tls;
    }

    /** The settings before CORS and TLS; CORS takes its defaults (no origin but the door's own), TLS is off. */
    public HttpSettings(Boolean enabled, Integer maxBodyBytes, Integer maxConnections, Integer maxFrameBytes,
                        Duration idleTimeout, Duration websocketIdleTimeout, Integer outboundBufferBytes,
                        Duration slowClientTimeout, Integer maxInFlight, Duration longPollMaxWait,
                        Duration heartbeatInterval, Duration requestHeaderTimeout, Integer minBodyBytesPerSecond,
                        Duration bodyRateWindow) {
        this(enabled, maxBodyBytes, maxConnections, maxFrameBytes, idleTimeout, websocketIdleTimeout,
                outboundBufferBytes, slowClientTimeout, maxInFlight, longPollMaxWait, heartbeatInterval,
                requestHeaderTimeout, minBodyBytesPerSecond, bodyRateWindow, null, null);
    }

    /** These settings with other TLS settings. */
    public HttpSettings withTls(TlsSettings newTls) {
        return new HttpSettings(enabled, maxBodyBytes, maxConnections, maxFrameBytes, idleTimeout, websocketIdleTimeout,
                outboundBufferBytes, slowClientTimeout, maxInFlight, longPollMaxWait, heartbeatInterval,
                requestHeaderTimeout, minBodyBytesPerSecond, bodyRateWindow, cors, newTls);
    }

    /** The settings before the slow-request limits; those take their defaults. */
    public HttpSettings(Boolean enabled, Integer maxBodyBytes, Integer maxConnections, Integer maxFrameBytes,
                        Duration idleTimeout, Duration websocketIdleTimeout, Integer outboundBufferBytes,
                        Duration slowClientTimeout, Integer maxInFlight, Duration longPollMaxWait,
                        Duration heartbeatInterval) {
        this(enabled, maxBodyBytes, maxConnections, maxFrameBytes, idleTimeout, websocketIdleTimeout,
                outboundBufferBytes, slowClientTimeout, maxInFlight, longPollMaxWait, heartbeatInterval, null, null, null);
    }

    /** These settings with other slow-request limits (null keeps the default). */
    public HttpSettings withSlowRequestLimits(Duration requestHeaderTimeout, Integer minBodyBytesPerSecond,
                                              Duration bodyRateWindow) {
        return new HttpSettings(enabled, maxBodyBytes, maxConnections, maxFrameBytes, idleTimeout, websocketIdleTimeout,
                outboundBufferBytes, slowClientTimeout, maxInFlight, longPollMaxWait, heartbeatInterval,
                requestHeaderTimeout, minBodyBytesPerSecond, bodyRateWindow, cors, tls);
    }

    /** These settings with another CORS policy. */
    public HttpSettings withCors(CorsSettings newCors) {
        return new HttpSettings(enabled, maxBodyBytes, maxConnections, maxFrameBytes, idleTimeout, websocketIdleTimeout,
                outboundBufferBytes, slowClientTimeout, maxInFlight, longPollMaxWait, heartbeatInterval,
                requestHeaderTimeout, minBodyBytesPerSecond, bodyRateWindow, newCors, tls);
    }

    /** The original three settings; every other one takes its default. */
    public HttpSettings(Boolean enabled, Integer maxBodyBytes, Integer maxConnections) {
        this(enabled, maxBodyBytes, maxConnections, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Every default. */
    public static HttpSettings defaults() {
        return new HttpSettings(null, null, null);
    }

    @Override
    public void problems(String key, List<String> problems) {
        positive(problems, key + ".max-body-bytes", maxBodyBytes);
        positive(problems, key + ".max-connections", maxConnections);
        positive(problems, key + ".max-frame-bytes", maxFrameBytes);
        positive(problems, key + ".max-in-flight", maxInFlight);
        if (outboundBufferBytes < 1024) {
            problems.add(key + ".outbound-buffer-bytes: " + outboundBufferBytes + " must be at least 1024");
        }
        positive(problems, key + ".idle-timeout", idleTimeout);
        positive(problems, key + ".websocket-idle-timeout", websocketIdleTimeout);
        positive(problems, key + ".slow-client-timeout", slowClientTimeout);
        positive(problems, key + ".long-poll-max-wait", longPollMaxWait);
        positive(problems, key + ".heartbeat-interval", heartbeatInterval);
        positive(problems, key + ".request-header-timeout", requestHeaderTimeout);
        if (minBodyBytesPerSecond < 0) {
            problems.add(key + ".min-body-bytes-per-second: " + minBodyBytesPerSecond + " must be 0 (off) or more");
        }
        positive(problems, key + ".body-rate-window", bodyRateWindow);
        cors.problems(key + ".cors", problems);
        tls.problems(key + ".tls", problems);
    }

    private static void positive(List<String> problems, String key, int value) {
        if (value < 1) {
            problems.add(key + ": " + value + " must be positive");
        }
    }

    private static void positive(List<String> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(key + ": " + value + " must be positive");
        }
    }
}
