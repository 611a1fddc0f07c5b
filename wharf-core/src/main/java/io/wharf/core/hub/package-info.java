/** The topic hub: one shared Kafka read per partition, a bounded cache, filters and fan-out to subscribers that are never skipped silently. */
package io.wharf.core.hub;
