/** The door's counters: Rafka's {@code HGETALL stats} values and the meters on {@code /metrics}. */
package io.wharf.resp.metrics;
