package io.wharf.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.netty.handler.codec.http.FullHttpResponse;

/**
 * Remembers the reply to a produce request sent with an {@code Idempotency-Key} (per topic, on this
 * instance, for a bounded time and number of keys), so a client retrying after a lost reply gets
 * the first reply instead of producing the records twice. A failed request is forgotten, so it can
 * be retried.
 */
final class IdempotencyCache {
    /** A remembered reply: status, content type and body, rebuilt into a fresh response per retry. */
    record Reply(int status, byte[] body) {
    }

    private record Remembered(CompletableFuture<Reply> reply, long expiresAtNanos) {
    }

    private final int maxKeys;
    private final long ttlNanos;
    /** Guarded by itself: insertion order gives eviction order. */
    private final LinkedHashMap<String, Remembered> entriesLock;

    IdempotencyCache(int maxKeys, Duration ttl) {
        this.maxKeys = maxKeys;
        this.ttlNanos = ttl.toNanos();
        this.entriesLock = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
                return size() > IdempotencyCache.this.maxKeys;
            }
        };
    }

    /**
     * The reply already given (or being given) for this key, or null after registering {@code mine}
     * as the one that will be.
     */
    CompletableFuture<Reply> claim(String topic, String key, CompletableFuture<Reply> mine) {
        String id = topic + '\u0000' + key;
        long now = System.nanoTime();
        synchronized (entriesLock) {
            Remembered e = entriesLock.get(id);
            if (e != null && now < e.expiresAtNanos()) {
                return e.reply();
            }
            entriesLock.put(id, new Remembered(mine, now + ttlNanos));
        }
        mine.whenComplete((reply, error) -> {
            if (error != null || reply.status() >= 300) {
                synchronized (entriesLock) {
                    Remembered e = entriesLock.get(id);
                    if (e != null && e.reply() == mine) {
                        entriesLock.remove(id);
                    }
                }
            }
        });
        return null;
    }

    static Reply of(FullHttpResponse response) {
        byte[] body = new byte[response.content().readableBytes()];
        response.content().getBytes(response.content().readerIndex(), body);
        return new Reply(response.status().code(), body);
    }
}
