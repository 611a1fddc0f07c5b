/** The relay front door: Kafka events to HTTP webhooks once each in effect, and HTTP sources polled into Kafka. */
package io.wharf.relay;
