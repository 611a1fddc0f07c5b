/** A real single-node Kafka broker (KRaft) started in-process when no cluster is configured. */
package io.wharf.kafka.embedded;
