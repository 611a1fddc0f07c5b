package io.wharf.relay.poller;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.wharf.relay.config.PollerSettings;

/** Turns a poll's response body into record keys and values: the whole body, or each element of a JSON array. */
final class PolledRecords {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * One record to write.
     *
     * @param key   record key, or null
     * @param value record value
     */
    record Item(byte[] key, byte[] value) {
    }

    /**
     * The records of one body and the cursor after it.
     *
     * @param items   records in body order
     * @param cursor  highest cursor value seen, the saved one included (null when there is none)
     * @param keyless elements that had no key field (written with a null key)
     */
    record Split(List<Item> items, JsonNode cursor, int keyless) {
    }

    /** The body cannot be turned into records; the run fails and the state stays where it was. */
    static final class BadBodyException extends Exception {
        private static final long serialVersionUID = 1L;

        BadBodyException(String message) {
            super(message);
        }
    }

    private final PollerSettings settings;
    private final JsonPointer items;
    private final JsonPointer keyField;
    private final JsonPointer cursorField;

    PolledRecords(PollerSettings settings) {
        this.settings = settings;
        this.items = settings.itemsPointer().isEmpty() ? JsonPointer.empty() : JsonPointer.compile(settings.itemsPointer());
        this.keyField = settings.keyField() == null ? null : pointer(settings.keyField());
        this.cursorField = settings.cursorField() == null ? null : pointer(settings.cursorField());
    }

    private static JsonPointer pointer(String field) {
        return field.startsWith("/") ? JsonPointer.compile(field) : JsonPointer.compile("/" + field.replace("~", "~0")
                .replace("/", "~1"));
    }

    /** Splits a body; {@code savedCursor} filters array elements when a cursor field is configured. */
    Split split(byte[] body, JsonNode savedCursor) throws BadBodyException {
        if (!settings.splitsArray()) {
            return new Split(List.of(new Item(settings.name().getBytes(StandardCharsets.UTF_8), body)), savedCursor, 0);
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadBodyException("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadBodyException("the body cannot be read: " + e.getMessage());
        }
        JsonNode array = root == null ? null : root.at(items);
        if (array == null || !array.isArray()) {
            throw new BadBodyException("no JSON array at '" + settings.itemsPointer() + "'");
        }
        List<Item> out = new ArrayList<>(array.size());
        JsonNode cursor = savedCursor;
        int keyless = 0;
        for (JsonNode element : array) {
            if (cursorField != null) {
                JsonNode c = element.at(cursorField);
                if (!c.isMissingNode() && !c.isNull()) {
                    if (savedCursor != null && compare(c, savedCursor) <= 0) {
                        continue;
                    }
                    if (cursor == null || compare(c, cursor) > 0) {
                        cursor = c;
                    }
                }
            }
            JsonNode k = element.at(keyField);
            byte[] key = null;
            if (k.isValueNode() && !k.isNull()) {
                key = k.asText().getBytes(StandardCharsets.UTF_8);
            } else {
                keyless++;
            }
            try {
                out.add(new Item(key, JSON.writeValueAsBytes(element)));
            } catch (IOException e) {
                throw new BadBodyException("cannot serialise an element: " + e.getMessage());
            }
        }
        return new Split(out, cursor, keyless);
    }

    /** Numbers compare as numbers, anything else as text. */
    static int compare(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return new BigDecimal(a.asText()).compareTo(new BigDecimal(b.asText()));
        }
        return a.asText().compareTo(b.asText());
    }
}
