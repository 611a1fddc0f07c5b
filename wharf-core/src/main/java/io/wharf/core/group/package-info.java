/** Consumer-group members for front doors: a few poller threads multiplex every door's Kafka consumers. */
package io.wharf.core.group;
