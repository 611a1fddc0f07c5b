/** The only path to Kafka: the shared producer, consumer and reader factories, the admin client and its topic metadata cache. */
package io.wharf.core.kafka;
