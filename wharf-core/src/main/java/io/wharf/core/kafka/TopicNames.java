package io.wharf.core.kafka;

import org.apache.kafka.common.internals.Topic;

/** Kafka's rules for topic names, checked before a name reaches Kafka so the error can name the rule. */
public final class TopicNames {
    /** The prefix of the names Kafka reserves for itself ({@code __consumer_offsets}, {@code __cluster_metadata}, ...). */
    public static final String INTERNAL_PREFIX = "__";

    private static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    /** What is wrong with a topic name, or null when Kafka accepts it. */
    public static String problem(String topic) {
        if (topic.isEmpty()) {
            return "the topic name is empty";
        }
        if (topic.length() > MAX_LENGTH) {
            return "topic name '" + topic.substring(0, 40) + "...' is longer than " + MAX_LENGTH + " characters";
        }
        if (topic.equals(".") || topic.equals("..")) {
            return "topic name '" + topic + "' is not allowed";
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!legal) {
                return "topic name '" + topic + "' may only contain letters, digits, '.', '_' and '-'";
            }
        }
        return null;
    }

    /**
     * Whether Kafka reserves the name for itself: its internal topics ({@code __consumer_offsets},
     * {@code __transaction_state}, {@code __share_group_state}), the KRaft log
     * {@code __cluster_metadata}, and any other name with a leading {@code __}.
     */
    public static boolean isInternal(String topic) {
        return topic.startsWith(INTERNAL_PREFIX) || Topic.isInternal(topic);
    }

    /** The refusal of an internal topic, naming the setting that allows it. */
    public static String internalProblem(String topic) {
        return "topic '" + topic + "' is internal to Kafka (names starting with '" + INTERNAL_PREFIX
                + "' are reserved); set kafka.allow-internal-topics: true to allow it";
    }
}
