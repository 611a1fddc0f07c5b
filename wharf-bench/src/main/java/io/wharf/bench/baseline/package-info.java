/** Raw kafka-clients baseline: produce, consume and end-to-end latency without a gateway. */
package io.wharf.bench.baseline;
