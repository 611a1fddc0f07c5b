package io.wharf.core.hub;

/**
 * A hub's figures at one moment (the same ones it publishes as {@code wharf.hub.*} metrics).
 *
 * @param subscribers        open subscriptions
 * @param sharedReaders      Kafka readers shared by all subscribers, one per topic-partition being read
 * @param catchUpReaders     private Kafka readers of subscribers outside the cache
 * @param cacheBytes         bytes of records cached, all partitions together
 * @param sharedRecordsIn    records read by shared readers
 * @param catchUpRecordsIn   records read by catch-up readers
 * @param eventsOut          events handed to subscribers
 * @param conflated          records lagging subscribers skipped because a newer value of the key was cached
 * @param gaps               gap events handed to subscribers
 * @param lagging            subscribers behind by more than their queue, or reading from Kafka to catch up
 * @param filterEvaluations  evaluations of a filter set against a record
 */
public record HubStats(int subscribers, int sharedReaders, int catchUpReaders, long cacheBytes, long sharedRecordsIn,
                       long catchUpRecordsIn, long eventsOut, long conflated, long gaps, int lagging,
                       long filterEvaluations) {
}
