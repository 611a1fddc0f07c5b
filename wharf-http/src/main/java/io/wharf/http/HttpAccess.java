package io.wharf.http;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.wharf.core.access.ClientAccess;
import io.wharf.core.access.Decision;
import io.wharf.core.access.Operation;
import io.wharf.core.access.Principal;
import io.wharf.core.access.PrincipalQuota;
import io.wharf.core.access.StreamScope;
import io.wharf.core.hub.HubEvent;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * What one request's principal may do at the HTTP door, with refusals as the door's errors: 403
 * {@code forbidden} for what the rules refuse, 401 {@code expired} for an expired credential, 429
 * {@code rate_limited} for the principal's limits.
 */
final class HttpAccess {
    /** The door's name in access decisions, audit lines and metrics. */
    static final String DOOR = "http";
    /**
     * The principal {@link Authenticator} found for the request it just passed on; {@link HttpExchange}
     * takes it at once, so pipelined requests keep their own.
     */
    static final AttributeKey<Principal> PRINCIPAL = AttributeKey.valueOf("wharf.http.principal");
    /** How long a client refused for its connection limit is asked to wait before trying again. */
    static final long CONNECTION_RETRY_SECONDS = 1;

    private final Principal principal;
    private final ClientAccess access;
    private final PrincipalQuota quota;

    private HttpAccess(Principal principal, ClientAccess access, PrincipalQuota quota) {
        this.principal = principal;
        this.access = access;
        this.quota = quota;
    }

    /** The access of a principal (the authenticated one, or anonymous). */
    static HttpAccess of(DoorContext door, Principal principal) {
        Principal p = principal == null ? Principal.anonymous() : principal;
        ClientAccess access = door.gateway().access().forClient(DOOR, p);
        return new HttpAccess(p, access, door.gateway().limits().of(access.principal()));
    }

    /** The principal as authentication found it (before configured roles were added). */
    Principal authenticated() {
        return principal;
    }

    PrincipalQuota quota() {
        return quota;
    }

    /** The records of the topic the principal may take {@code op} on; throws the refusal as an {@link ApiError}. */
    StreamScope require(Operation op, String topic) {
        Decision d = access.topic(op, topic);
        if (d instanceof Decision.Allowed allowed) {
            return allowed.scope();
        }
        throw refusal(d);
    }

    /** Throws the refusal of a group operation as an {@link ApiError}. */
    void requireGroup(Operation op, String group) {
        Decision d = access.group(op, group);
        if (!d.allowed()) {
            throw refusal(d);
        }
    }

    /** Whether the principal may commit the group's offsets (audited like every decision). */
    boolean mayCommit(String group) {
        return access.group(Operation.COMMIT, group).allowed();
    }

    /** Whether a topic listing shows the topic. */
    boolean mayDescribe(String topic) {
        return access.mayDescribe(topic);
    }

    /** Throws 403 when a record to produce is outside the scope the grant binds. */
    static void requireInScope(StreamScope scope, String topic, List<ProducerRecord<byte[], byte[]>> records,
                               boolean batch) {
        if (scope.unrestricted()) {
            return;
        }
        for (int i = 0; i < records.size(); i++) {
            ProducerRecord<byte[], byte[]> r = records.get(i);
            if (!scope.admits(r.key(), HubEvent.Header.of(r.headers()))) {
                throw ApiError.forbidden("not allowed to produce " + (batch ? "record " + i : "this record")
                        + " to topic '" + topic + "': the grant covers only records with " + describe(scope));
            }
        }
    }

    /** The bound filters as a sentence: {@code key=tenant-a or header.tenant=a}. */
    static String describe(StreamScope scope) {
        return scope.anyOf().stream().map(f -> f.conditions().stream().map(Object::toString)
                .collect(java.util.stream.Collectors.joining(" and "))).collect(java.util.stream.Collectors.joining(" or "));
    }

    /** Takes the records from the principal's produce rate; throws 429 when over it. */
    void takeProduce(List<ProducerRecord<byte[], byte[]>> records) {
        long bytes = 0;
        for (ProducerRecord<byte[], byte[]> r : records) {
            bytes += r.key() == null ? 0 : r.key().length;
            bytes += r.value() == null ? 0 : r.value().length;
            for (Header h : r.headers()) {
                bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
            }
        }
        long wait = quota.produce(records.size(), bytes);
        if (wait > 0) {
            throw ApiError.rateLimited(quota.produceRefusal(wait), PrincipalQuota.retryAfterSeconds(wait));
        }
    }

    /**
     * Opens a long-lived connection (stream, long poll or WebSocket) against the principal's limit;
     * throws 429 when the principal has all its connections open. The caller closes it.
     */
    void openConnection() {
        String refusal = quota.openConnection();
        if (refusal != null) {
            throw ApiError.rateLimited(refusal, CONNECTION_RETRY_SECONDS);
        }
    }

    /** Opens a connection that stays open (and counted) until the channel closes; throws 429 when refused. */
    void openConnectionUntilClosed(Channel channel) {
        openConnection();
        channel.closeFuture().addListener((ChannelFutureListener) f -> quota.closeConnection());
    }

    /** Opens a subscription against the principal's limit; throws 429 when it has all of them open. */
    void openSubscription() {
        String refusal = quota.openSubscription();
        if (refusal != null) {
            throw ApiError.rateLimited(refusal, CONNECTION_RETRY_SECONDS);
        }
    }

    /**
     * Runs {@code end} on the channel's event loop when the principal's credential expires (a JWT's
     * {@code exp}), unless the channel closed before; nothing for credentials that do not expire.
     */
    void endAtExpiry(Channel channel, Runnable end) {
        Instant expiresAt = principal.expiresAt();
        if (expiresAt == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(Instant.now(), expiresAt).toNanos());
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (channel.isActive()) {
                end.run();
            }
        }, delay, TimeUnit.NANOSECONDS);
        channel.closeFuture().addListener((ChannelFutureListener) f -> timer.cancel(false));
    }

    /** The message a stream or WebSocket ends with when the credential expires. */
    static String expiredMessage() {
        return new Decision.Expired().message();
    }

    /** The door's error for a refused decision. */
    static ApiError refusal(Decision d) {
        if (d instanceof Decision.Expired e) {
            return new ApiError(HttpResponseStatus.UNAUTHORIZED, "expired", e.message());
        }
        return ApiError.forbidden(d.refusal());
    }
}
