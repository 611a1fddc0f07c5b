package io.wharf.resp.config;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.wharf.core.config.Section;
import io.wharf.core.tls.TlsSettings;

/**
 * The Redis-protocol front door and its limits.
 *
 * @param enabled                     whether to listen at all
 * @param maxBulkBytes                largest bulk string accepted (Rafka's 32,768,000 by default); a larger
 *                                    one is a protocol error that closes that connection
 * @param maxConnections              connections beyond this are refused with an error
 * @param maxRequestBytes             largest whole command (all its arguments together); default twice
 *                                    {@code max-bulk-bytes}
 * @param maxPendingReplies           commands of one connection waiting for their reply before the server
 *                                    stops reading from it (pipelining depth)
 * @param pollerThreads               threads that poll every connection's Kafka consumer (0 = cores, at most 4)
 * @param prefetchRecords             records fetched ahead for one consuming connection before its consumer
 *                                    pauses
 * @param prefetchBytes               bytes fetched ahead for one consuming connection before its consumer
 *                                    pauses; also its consumer's {@code fetch.max.bytes} unless set
 * @param maxUnackedRecords           delivered but unacknowledged records one connection may hold with
 *                                    individual acks before consuming more is refused
 * @param commitInterval              how often acknowledged offsets are committed to Kafka (a consumer's
 *                                    {@code auto.commit.interval.ms} overrides it)
 * @param pollBackoff                 longest pause between two polls of a consumer that a client is
 *                                    blocked on: the worst added latency of an idle BLPOP
 * @param closeTimeout                how long a closing connection's consumer may take to commit and leave
 *                                    its group
 * @param maxPendingProduceBytes      bytes one connection may have sent to Kafka and not yet had
 *                                    acknowledged before the server stops reading from it
 * @param maxPendingProduceBytesTotal the same bound over every connection together
 * @param maxOutputBytes              replies queued for one connection that the client has not read yet
 *                                    before the server stops reading its commands and handing it records
 * @param slowClientTimeout           how long a connection may stay over {@code max-output-bytes} before
 *                                    it is closed as a slow client
 * @param maxBufferedRequestBytes     bytes of commands not yet completely received that every connection
 *                                    together may hold (a connection over it stops being read, then is
 *                                    refused)
 * @param requestTimeout              how long a command may take from its first byte to its last before
 *                                    the connection is closed (idle time between commands does not count)
 * @param maxKeysTopics               most topic names one {@code KEYS} scans
 * @param tls                         TLS as {@code redis-cli --tls} and {@code rediss://} clients expect: off
 *                                    unless a certificate is given
 */
public record RespSettings(Boolean enabled, Integer maxBulkBytes, Integer maxConnections, Integer maxRequestBytes,
                           Integer maxPendingReplies, Integer pollerThreads, Integer prefetchRecords,
                           Integer prefetchBytes, Integer maxUnackedRecords, Duration commitInterval,
                           Duration pollBackoff, Duration closeTimeout, Integer maxPendingProduceBytes,
                           Long maxPendingProduceBytesTotal, Integer maxOutputBytes, Duration slowClientTimeout,
                           Long maxBufferedRequestBytes, Duration requestTimeout, Integer maxKeysTopics,
                           TlsSettings tls)
        implements Section {
    @JsonCreator
    public RespSettings {
        enabled = enabled == null || enabled;
        maxBulkBytes = maxBulkBytes == null ? 32_768_000 : maxBulkBytes;
        maxConnections = maxConnections == null ? 10_000 : maxConnections;
        maxRequestBytes = maxRequestBytes == null ? (int) Math.min(Integer.MAX_VALUE, 2L * maxBulkBytes) : maxRequestBytes;
        maxPendingReplies = maxPendingReplies == null ? 1024 : maxPendingReplies;
        pollerThreads = pollerThreads == null ? 0 : pollerThreads;
        prefetchRecords = prefetchRecords == null ? 1000 : prefetchRecords;
        prefetchBytes = prefetchBytes == null ? 1024 * 1024 : prefetchBytes;
        maxUnackedRecords = maxUnackedRecords == null ? 10_000 : maxUnackedRecords;
        commitInterval = commitInterval == null ? Duration.ofSeconds(1) : commitInterval;
        pollBackoff = pollBackoff == null ? Duration.ofMillis(20) : pollBackoff;
        closeTimeout = closeTimeout == null ? Duration.ofSeconds(10) : closeTimeout;
        maxPendingProduceBytes = maxPendingProduceBytes == null ? 4 * 1024 * 1024 : maxPendingProduceBytes;
        maxPendingProduceBytesTotal = maxPendingProduceBytesTotal == null ? 16L * 1024 * 1024 : maxPendingProduceBytesTotal;
        maxOutputBytes = maxOutputBytes == null ? 4 * 1024 * 1024 : maxOutputBytes;
        slowClientTimeout = slowClientTimeout == null ? Duration.ofSeconds(30) : slowClientTimeout;
        maxBufferedRequestBytes = maxBufferedRequestBytes == null ? 64L * 1024 * 1024 : maxBufferedRequestBytes;
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
        maxKeysTopics = maxKeysTopics == null ? 100_000 : maxKeysTopics;
        tls = tls == null ? TlsSettings.off() : tls;
    }

    /** The settings before TLS; TLS is off. */
    public RespSettings(Boolean enabled, Integer maxBulkBytes, Integer maxConnections, Integer maxRequestBytes,
                        Integer maxPendingReplies, Integer pollerThreads, Integer prefetchRecords,
                        Integer prefetchBytes, Integer maxUnackedRecords, Duration commitInterval,
                        Duration pollBackoff, Duration closeTimeout, Integer maxPendingProduceBytes,
                        Long maxPendingProduceBytesTotal, Integer maxOutputBytes, Duration slowClientTimeout,
                        Long maxBufferedRequestBytes, Duration requestTimeout, Integer maxKeysTopics) {
        this(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies, pollerThreads, prefetchRecords,
                prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff, closeTimeout, maxPendingProduceBytes,
                maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout, maxBufferedRequestBytes, requestTimeout,
                maxKeysTopics, null);
    }

    /** A copy with other TLS settings. */
    public RespSettings withTls(TlsSettings newTls) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff,
                closeTimeout, maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, newTls);
    }

    /** The original three settings; every other one takes its default. */
    public RespSettings(Boolean enabled, Integer maxBulkBytes, Integer maxConnections) {
        this(enabled, maxBulkBytes, maxConnections, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    /** Every default. */
    public static RespSettings defaults() {
        return new RespSettings(null, null, null);
    }

    /** A copy with another bulk limit (and the request limit derived from it). */
    public RespSettings withMaxBulkBytes(int bytes) {
        return new RespSettings(enabled, bytes, maxConnections, null, maxPendingReplies, pollerThreads,
                prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff, closeTimeout,
                maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with another connection limit. */
    public RespSettings withMaxConnections(int connections) {
        return new RespSettings(enabled, maxBulkBytes, connections, maxRequestBytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff,
                closeTimeout, maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with other prefetch bounds. */
    public RespSettings withPrefetch(int records, int bytes) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies,
                pollerThreads, records, bytes, maxUnackedRecords, commitInterval, pollBackoff, closeTimeout,
                maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with another bound on unacknowledged records (individual acks). */
    public RespSettings withMaxUnackedRecords(int records) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, records, commitInterval, pollBackoff, closeTimeout,
                maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with other produce bounds. */
    public RespSettings withMaxPendingProduceBytes(int perConnection, long total) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff,
                closeTimeout, perConnection, total, maxOutputBytes, slowClientTimeout, maxBufferedRequestBytes,
                requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with another bound on one command's size (at least {@code max-bulk-bytes}). */
    public RespSettings withMaxRequestBytes(int bytes) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, bytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff,
                closeTimeout, maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with another output bound and slow-client timeout. */
    public RespSettings withOutputLimit(int bytes, Duration timeout) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff,
                closeTimeout, maxPendingProduceBytes, maxPendingProduceBytesTotal, bytes, timeout,
                maxBufferedRequestBytes, requestTimeout, maxKeysTopics, tls);
    }

    /** A copy with another server-wide budget for incomplete commands and another request timeout. */
    public RespSettings withRequestLimits(long bufferedBytes, Duration timeout) {
        return new RespSettings(enabled, maxBulkBytes, maxConnections, maxRequestBytes, maxPendingReplies,
                pollerThreads, prefetchRecords, prefetchBytes, maxUnackedRecords, commitInterval, pollBackoff,
                closeTimeout, maxPendingProduceBytes, maxPendingProduceBytesTotal, maxOutputBytes, slowClientTimeout,
                bufferedBytes, timeout, maxKeysTopics, tls);
    }

    /** The number of poller threads to run: the configured number, or one per core up to four. */
    public int effectivePollerThreads() {
        return pollerThreads > 0 ? pollerThreads : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public void problems(String key, List<String> problems) {
        positive(problems, key + ".max-bulk-bytes", maxBulkBytes);
        positive(problems, key + ".max-connections", maxConnections);
        positive(problems, key + ".max-pending-replies", maxPendingReplies);
        positive(problems, key + ".prefetch-records", prefetchRecords);
        positive(problems, key + ".prefetch-bytes", prefetchBytes);
        positive(problems, key + ".max-unacked-records", maxUnackedRecords);
        positive(problems, key + ".max-pending-produce-bytes", maxPendingProduceBytes);
        positive(problems, key + ".max-output-bytes", maxOutputBytes);
        positive(problems, key + ".max-keys-topics", maxKeysTopics);
        if (maxBufferedRequestBytes < maxRequestBytes) {
            problems.add(key + ".max-buffered-request-bytes: " + maxBufferedRequestBytes
                    + " must be at least max-request-bytes (" + maxRequestBytes + ")");
        }
        if (slowClientTimeout.isNegative() || slowClientTimeout.isZero()) {
            problems.add(key + ".slow-client-timeout: must be positive");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            problems.add(key + ".request-timeout: must be positive");
        }
        if (maxRequestBytes < maxBulkBytes) {
            problems.add(key + ".max-request-bytes: " + maxRequestBytes + " must be at least max-bulk-bytes ("
                    + maxBulkBytes + ")");
        }
        if (pollerThreads < 0 || pollerThreads > 64) {
            problems.add(key + ".poller-threads: " + pollerThreads + " is out of range (0-64, 0 = cores up to 4)");
        }
        if (maxPendingProduceBytesTotal < maxPendingProduceBytes) {
            problems.add(key + ".max-pending-produce-bytes-total: " + maxPendingProduceBytesTotal
                    + " must be at least max-pending-produce-bytes (" + maxPendingProduceBytes + ")");
        }
        if (commitInterval.isNegative() || commitInterval.isZero()) {
            problems.add(key + ".commit-interval: must be positive");
        }
        if (pollBackoff.compareTo(Duration.ofMillis(1)) < 0 || pollBackoff.compareTo(Duration.ofSeconds(1)) > 0) {
            problems.add(key + ".poll-backoff: " + pollBackoff.toMillis() + "ms is out of range (1ms-1s)");
        }
        if (closeTimeout.isNegative() || closeTimeout.isZero()) {
            problems.add(key + ".close-timeout: must be positive");
        }
        tls.problems(key + ".tls", problems);
    }

    private static void positive(List<String> problems, String key, int value) {
        if (value < 1) {
            problems.add(key + ": " + value + " must be positive");
        }
    }
}
