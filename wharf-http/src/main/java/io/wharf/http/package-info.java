/** The HTTP front door: REST produce and topic admin, Server-Sent Events, long poll, WebSocket (native and kafka-proxy), health and metrics. */
package io.wharf.http;
