/** Webhook routes: consume, dispatch by key with bounded concurrency, retry, dead-letter and commit transactionally. */
package io.wharf.relay.webhook;
