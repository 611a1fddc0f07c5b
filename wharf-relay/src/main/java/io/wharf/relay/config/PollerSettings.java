package io.wharf.relay.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.wharf.core.config.Section;

/**
 * One HTTP poller: GET a URL on a schedule (conditionally, with {@code ETag} and
 * {@code Last-Modified}) and write what changed into a topic, together with the poller's state,
 * in one Kafka transaction.
 *
 * @param name           the poller's name: metrics, logs, the key of its state record, its consumer group
 * @param url            what to GET
 * @param topic          where the records go
 * @param interval       time between polls (default 30s)
 * @param headers        static request headers (values are never logged)
 * @param requestTimeout how long one GET may take (default 30s)
 * @param split          {@code body} (default): the whole body is one record; {@code array}: each element of a JSON array is one record
 * @param itemsPointer   JSON pointer to the array inside the body, e.g. {@code /items} (default: the body itself)
 * @param keyField       JSON pointer or field name of each element's record key (required with split array)
 * @param cursorField    JSON pointer or field name of a value that grows with each new element; only elements beyond the saved cursor are written
 * @param cursorParam    query parameter that sends the saved cursor to the source, e.g. {@code since}
 * @param stateTopic     compacted topic holding every poller's state (default {@code wharf-relay-poller-state}, created when missing)
 * @param maxBodyBytes   largest response body accepted (default 8 MiB); a longer one fails the run
 */
public record PollerSettings(String name, URI url, String topic, Duration interval, Map<String, String> headers,
                             Duration requestTimeout, String split, String itemsPointer, String keyField,
                             String cursorField, String cursorParam, String stateTopic, Integer maxBodyBytes)
        implements Section {
    /** The state topic used when a poller names none. */
    public static final String DEFAULT_STATE_TOPIC = "wharf-relay-poller-state";

    public PollerSettings {
        interval = interval == null ? Duration.ofSeconds(30) : interval;
        headers = headers == null ? Map.of() : Map.copyOf(new TreeMap<>(headers));
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
        split = split == null || split.isBlank() ? "body" : split.trim();
        itemsPointer = itemsPointer == null ? "" : itemsPointer.trim();
        keyField = keyField == null || keyField.isBlank() ? null : keyField.trim();
        cursorField = cursorField == null || cursorField.isBlank() ? null : cursorField.trim();
        cursorParam = cursorParam == null || cursorParam.isBlank() ? null : cursorParam.trim();
        stateTopic = stateTopic == null || stateTopic.isBlank() ? DEFAULT_STATE_TOPIC : stateTopic;
        maxBodyBytes = maxBodyBytes == null ? 8 * 1024 * 1024 : maxBodyBytes;
    }

    /** A poller writing whole bodies, every optional setting at its default. */
    public static PollerSettings of(String name, URI url, String topic, Duration interval) {
        return new PollerSettings(name, url, topic, interval, null, null, null, null, null, null, null, null, null);
    }

    /** Whether each element of a JSON array becomes its own record. */
    @JsonIgnore
    public boolean splitsArray() {
        return split.equals("array");
    }

    @Override
    public void problems(String key, List<String> problems) {
        RelayRules.name(problems, key + ".name", name);
        RelayRules.url(problems, key + ".url", url);
        RelayRules.topic(problems, key + ".topic", topic, true);
        RelayRules.positive(problems, key + ".interval", interval);
        RelayRules.headers(problems, key + ".headers", headers);
        RelayRules.positive(problems, key + ".request-timeout", requestTimeout);
        if (!split.equals("body") && !split.equals("array")) {
            problems.add(key + ".split: '" + split + "' is not one of body, array");
        }
        if (!itemsPointer.isEmpty() && !itemsPointer.startsWith("/")) {
            problems.add(key + ".items-pointer: '" + itemsPointer + "' is not a JSON pointer (e.g. /items)");
        }
        if (splitsArray() && keyField == null) {
            problems.add(key + ".key-field: is required when split is array");
        }
        if (!splitsArray() && (keyField != null || cursorField != null || !itemsPointer.isEmpty())) {
            problems.add(key + ".split: key-field, cursor-field and items-pointer need split: array");
        }
        if (cursorParam != null && cursorField == null) {
            problems.add(key + ".cursor-param: needs cursor-field (the value it sends)");
        }
        RelayRules.topic(problems, key + ".state-topic", stateTopic, true);
        if (topic != null && topic.equals(stateTopic)) {
            problems.add(key + ".topic: must differ from the state topic '" + stateTopic + "'");
        }
        RelayRules.range(problems, key + ".max-body-bytes", maxBodyBytes, 1, 256 * 1024 * 1024);
    }

    @Override
    public String toString() {
        return "PollerSettings[name=" + name + ", url=" + url + ", topic=" + topic + ", interval=" + interval
                + ", headers=" + RelayRules.maskedHeaders(headers) + ", requestTimeout=" + requestTimeout + ", split="
                + split + ", itemsPointer=" + itemsPointer + ", keyField=" + keyField + ", cursorField=" + cursorField
                + ", cursorParam=" + cursorParam + ", stateTopic=" + stateTopic + ", maxBodyBytes=" + maxBodyBytes + "]";
    }
}
