/** HTTP and WebSocket benchmarks: fan-out, latency and idle memory of many WebSocket clients. */
package io.wharf.bench.http;
