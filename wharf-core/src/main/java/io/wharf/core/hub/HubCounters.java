package io.wharf.core.hub;

import java.util.concurrent.atomic.LongAdder;

/** The hub's running totals: cheap to bump on hot paths, read by metrics and {@link HubStats}. */
final class HubCounters {
    final LongAdder sharedRecordsIn = new LongAdder();
    final LongAdder catchUpRecordsIn = new LongAdder();
    final LongAdder eventsOut = new LongAdder();
    final LongAdder conflated = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder filterEvaluations = new LongAdder();
    final LongAdder evicted = new LongAdder();
}
