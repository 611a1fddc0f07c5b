package io.wharf.relay.webhook;

import java.util.SortedMap;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What one transaction commits for one partition: the offset below which everything is finished,
 * the finished offsets beyond it (as commit metadata), and the outputs of exactly the events that
 * this commit records as finished for the first time.
 *
 * @param partition the partition's work
 * @param offset    every record below it is finished
 * @param metadata  encoded finished offsets at or above {@code offset}
 * @param recorded  the finished offsets at or above {@code offset} that the metadata holds
 * @param cut       outputs of events below it are in {@code outputs}; later ones wait for a later commit
 * @param outputs   responses and dead letters to write in the same transaction, by source offset
 */
record CommitPlan(PartitionWork partition, long offset, String metadata, OffsetRanges recorded, long cut,
                  SortedMap<Long, ProducerRecord<byte[], byte[]>> outputs) {
}
