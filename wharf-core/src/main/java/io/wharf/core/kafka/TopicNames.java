package io.wharf.core.kafka;

/** Kafka's rules for topic names, checked before a name reaches Kafka so the error can name the rule. */
public final class TopicNames {
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
}
