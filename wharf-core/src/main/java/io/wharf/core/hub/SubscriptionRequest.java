package io.wharf.core.hub;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a subscriber asks the hub for.
 *
 * @param topic         the topic
 * @param partitions    the partitions to read; empty means all of them, merged
 * @param start         where to start
 * @param filters       OR-ed filters; empty means every record
 * @param queueCapacity most events held for this subscriber before the hub conflates or moves it
 *                      to a catch-up read; 0 means the hub's default
 * @param bound         the filters the subscriber's access grant binds (OR-ed; empty means none): only
 *                      records matching one of them reach it, whatever its own filters, in snapshots,
 *                      catch-up reads and live alike
 */
public record SubscriptionRequest(String topic, Set<Integer> partitions, StartPosition start,
                                  List<RecordFilter> filters, int queueCapacity, List<RecordFilter> bound) {
    public SubscriptionRequest {
        Objects.requireNonNull(topic, "topic");
        partitions = partitions == null ? Set.of() : Set.copyOf(partitions);
        start = start == null ? new StartPosition.Live() : start;
        filters = filters == null ? List.of() : List.copyOf(filters);
        bound = bound == null ? List.of() : List.copyOf(bound);
    }

    /** A request without bound filters. */
    public SubscriptionRequest(String topic, Set<Integer> partitions, StartPosition start, List<RecordFilter> filters,
                               int queueCapacity) {
        this(topic, partitions, start, filters, queueCapacity, List.of());
    }

    /** A copy whose records are also bound to one of these filters (an access grant's scope). */
    public SubscriptionRequest boundTo(List<RecordFilter> filters) {
        return new SubscriptionRequest(topic, partitions, start, this.filters, queueCapacity, filters);
    }

    /** All partitions, no filter, default queue. */
    public static SubscriptionRequest of(String topic, StartPosition start) {
        return new SubscriptionRequest(topic, Set.of(), start, List.of(), 0);
    }
}
