package io.wharf.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The embedded broker, used when no {@code bootstrap-servers} is given.
 *
 * @param autoCreateTopics off by default so a typo in a topic name is an error, not a new topic
 * @param partitions       partitions of topics created without a count
 * @param advertisedHost   host clients are told to connect to (default: the bind address)
 * @param properties       any further broker property, applied last
 * @param security         {@code plaintext} (default: no TLS, no authentication, no ACLs) or {@code sasl-ssl}
 *                         (TLS with a CA generated into the data directory, SCRAM-SHA-256/512 users, Kafka's
 *                         standard authorizer denying what no ACL allows)
 * @param users            with {@code sasl-ssl}: user name to password, each a SCRAM user of the broker
 * @param adminUser        with {@code sasl-ssl}: the user the authorizer lets do anything (default {@code admin})
 * @param kafkaUser        with {@code sasl-ssl}: the user Wharf itself connects as (default: {@code admin-user})
 */
public record EmbeddedSettings(Boolean autoCreateTopics, Integer partitions, String advertisedHost,
                               Map<String, String> properties, String security, Map<String, String> users,
                               String adminUser, String kafkaUser) implements Section {
    /** The plain broker: no TLS, no authentication. */
    public static final String PLAINTEXT = "plaintext";
    /** TLS, SCRAM users and ACLs. */
    public static final String SASL_SSL = "sasl-ssl";

    public EmbeddedSettings {
        autoCreateTopics = autoCreateTopics != null && autoCreateTopics;
        partitions = partitions == null ? 1 : partitions;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        security = security == null || security.isBlank() ? PLAINTEXT : security.trim().toLowerCase(Locale.ROOT);
        users = users == null ? Map.of() : Map.copyOf(users);
        adminUser = adminUser == null || adminUser.isBlank() ? "admin" : adminUser;
        kafkaUser = kafkaUser == null || kafkaUser.isBlank() ? adminUser : kafkaUser;
    }

    /** A plain embedded broker. */
    public EmbeddedSettings(Boolean autoCreateTopics, Integer partitions, String advertisedHost,
                            Map<String, String> properties) {
        this(autoCreateTopics, partitions, advertisedHost, properties, null, null, null, null);
    }

    /** A copy with a {@code sasl-ssl} listener, these SCRAM users, this super user, and Wharf connecting as {@code kafkaUser}. */
    public EmbeddedSettings withSaslSsl(Map<String, String> newUsers, String newAdminUser, String newKafkaUser) {
        return new EmbeddedSettings(autoCreateTopics, partitions, advertisedHost, properties, SASL_SSL, newUsers,
                newAdminUser, newKafkaUser);
    }

    /** True for {@code security: sasl-ssl}. */
    @JsonIgnore
    public boolean secured() {
        return SASL_SSL.equals(security);
    }

    @Override
    public void problems(String key, List<String> problems) {
        if (partitions < 1) {
            problems.add(key + ".partitions: " + partitions + " must be at least 1");
        }
        if (!security.equals(PLAINTEXT) && !security.equals(SASL_SSL)) {
            problems.add(key + ".security: '" + security + "' is not one of " + PLAINTEXT + ", " + SASL_SSL);
            return;
        }
        if (!secured()) {
            if (!users.isEmpty()) {
                problems.add(key + ".users: only used with " + key + ".security: " + SASL_SSL);
            }
            return;
        }
        if (users.isEmpty()) {
            problems.add(key + ".users: " + key + ".security: " + SASL_SSL + " needs at least the user '" + adminUser + "'");
        }
        users.forEach((user, pass) -> {
            if (user.isBlank() || user.contains(",") || user.contains("=") || user.contains(";")) {
                problems.add(key + ".users: user name '" + user + "' must be non-blank without ',', '=' or ';'");
            }
            if (pass == null || pass.isEmpty()) {
                problems.add(key + ".users." + user + ": password is empty");
            }
        });
        if (!users.isEmpty() && !users.containsKey(adminUser)) {
            problems.add(key + ".admin-user: '" + adminUser + "' is not among " + key + ".users " + users.keySet());
        }
        if (!users.isEmpty() && !users.containsKey(kafkaUser)) {
            problems.add(key + ".kafka-user: '" + kafkaUser + "' is not among " + key + ".users " + users.keySet());
        }
    }

    /** Masks the passwords. */
    @Override
    public String toString() {
        return "EmbeddedSettings[autoCreateTopics=" + autoCreateTopics + ", partitions=" + partitions
                + ", advertisedHost=" + advertisedHost + ", properties=" + Secrets.masked(properties)
                + ", security=" + security + ", users=" + users.keySet() + ", adminUser=" + adminUser
                + ", kafkaUser=" + kafkaUser + "]";
    }
}
