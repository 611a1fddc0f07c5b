package io.wharf.relay.poller;

import java.io.IOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * What a poller remembers between runs, stored as JSON in the compacted state topic under the
 * poller's name and written in the same transaction as the records it explains.
 *
 * @param etag         the last response's {@code ETag}, sent back as {@code If-None-Match}
 * @param lastModified the last response's {@code Last-Modified}, sent back as {@code If-Modified-Since}
 * @param cursor       the highest cursor value seen (number or text), or null
 * @param digest       SHA-256 (hex) of the last body turned into records; an identical body writes nothing
 * @param runs         successful runs so far
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PollerState(String etag, String lastModified, JsonNode cursor, String digest, long runs) {
    static final PollerState EMPTY = new PollerState(null, null, null, null, 0);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write poller state", e);
        }
    }

    static PollerState fromJson(byte[] json) {
        try {
            return JSON.readValue(json, PollerState.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable poller state: " + e.getMessage(), e);
        }
    }
}
