package io.wharf.http;

/** What a connection on the HTTP port is being used for; connections are counted per kind. */
enum ConnectionKind {
    /** Plain request/response HTTP (including long polls). */
    HTTP("http"),
    /** A Server-Sent Events stream. */
    SSE("sse"),
    /** A native-protocol WebSocket ({@code /ws}). */
    WEBSOCKET("websocket"),
    /** A kafka-proxy compatible WebSocket ({@code /}). */
    KAFKA_PROXY("kafka-proxy");

    private final String tag;

    ConnectionKind(String tag) {
        this.tag = tag;
    }

    /** The metric tag value. */
    String tag() {
        return tag;
    }
}
