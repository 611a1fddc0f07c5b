/** HTTP pollers: fetch a source on an interval and write what is new into Kafka exactly once. */
package io.wharf.relay.poller;
