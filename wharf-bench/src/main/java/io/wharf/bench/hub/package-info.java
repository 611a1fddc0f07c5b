/** Topic hub benchmark: fan-out of one Kafka read to many in-process subscribers. */
package io.wharf.bench.hub;
