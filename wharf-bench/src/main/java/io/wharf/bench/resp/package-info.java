/** Redis-protocol benchmark: pipelined produce and blocking consume against raw kafka-clients. */
package io.wharf.bench.resp;
