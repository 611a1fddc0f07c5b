package io.wharf.resp.consume;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import io.wharf.core.kafka.TopicNames;
import io.wharf.resp.protocol.CommandError;

/**
 * What a consumer reads: {@code topics:<t1>[,<t2>...][:<JSON consumer config>]}. The topic list
 * ends at the first colon after the prefix; the rest, if any, is the configuration.
 *
 * @param topics     distinct topic names in the order given
 * @param configJson the configuration text, or null
 */
public record TopicsKey(List<String> topics, String configJson) {
    private static final String PREFIX = "topics:";

    /** Parses a consume key; a malformed one is a {@code CONS} error. */
    public static TopicsKey parse(String key) {
        if (!key.startsWith(PREFIX)) {
            throw CommandError.cons("Cannot parse topics: '" + key + "' (expected topics:<topic>[,<topic>...][:<json config>])");
        }
        String rest = key.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        String list = colon < 0 ? rest : rest.substring(0, colon);
        String json = colon < 0 ? null : rest.substring(colon + 1);
        LinkedHashSet<String> topics = new LinkedHashSet<>();
        for (String t : list.split(",", -1)) {
            String problem = TopicNames.problem(t);
            if (problem != null) {
                throw CommandError.cons("Cannot parse topics: '" + key + "': " + problem);
            }
            topics.add(t);
        }
        if (json != null && json.isBlank()) {
            throw CommandError.cons("Cannot parse topics: '" + key + "': the consumer config after the topics is empty");
        }
        return new TopicsKey(List.copyOf(new ArrayList<>(topics)), json);
    }
}
