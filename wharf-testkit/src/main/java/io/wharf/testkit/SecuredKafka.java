package io.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.wharf.kafka.embedded.EmbeddedKafka;
import io.wharf.kafka.embedded.EmbeddedKafkaSettings;
import io.wharf.kafka.embedded.EmbeddedSecurity;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * A second embedded broker for the tests of one JVM, started on first use and secured: a
 * {@code SASL_SSL} listener (SCRAM-SHA-256/512, a CA generated at start), Kafka's standard authorizer
 * denying whatever no ACL allows, and the super user {@link #ADMIN}. Tests add their own users and
 * ACLs and take the client properties to give Wharf's {@code kafka.properties}.
 */
public final class SecuredKafka {
    /** The super user; {@link #kafka()}'s clients log in as it. */
    public static final String ADMIN = "admin";
    /** The SCRAM mechanism {@link #clientProperties(String)} uses. */
    public static final String MECHANISM = "SCRAM-SHA-512";
    private static final String ADMIN_PASSWORD = "admin-secret";
    private static final AtomicInteger USER_SEQUENCE = new AtomicInteger();
    private static SecuredKafka instance;

    private final EmbeddedKafka broker;
    private final TestKafka kafka;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();

    private SecuredKafka(EmbeddedKafka broker) {
        this.broker = broker;
        this.passwords.put(ADMIN, ADMIN_PASSWORD);
        this.kafka = new TestKafka(broker.bootstrapServers(), clientProperties(ADMIN));
    }

    /** The secured broker of this JVM, started on first call (a few seconds). Thread-safe. */
    public static synchronized SecuredKafka get() {
        if (instance == null) {
            Path dir;
            try {
                dir = Files.createTempDirectory("wharf-test-secured-kafka");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafkaSettings.forTests(dir.resolve("kafka"))
                    .withSecurity(new EmbeddedSecurity(Map.of(ADMIN, ADMIN_PASSWORD), List.of(ADMIN))));
            SecuredKafka secured = new SecuredKafka(broker);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                secured.kafka.close();
                broker.close();
                TestDirectories.deleteRecursively(dir);
            }, "secured-kafka-stop"));
            instance = secured;
        }
        return instance;
    }

    /** {@code host:port} of the SASL_SSL listener. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** The broker itself (its CA certificate, truststore). */
    public EmbeddedKafka broker() {
        return broker;
    }

    /** Topics, clients and an {@link Admin} logged in as the super user {@link #ADMIN}; do not close it. */
    public TestKafka kafka() {
        return kafka;
    }

    /**
     * A new SCRAM user (both mechanisms) with a name no other test uses and no ACL yet; returns the
     * name once the broker accepts its logins.
     */
    public String createUser(String prefix) {
        String user = prefix + "-" + USER_SEQUENCE.incrementAndGet();
        String password = user + "-secret";
        try {
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                kafka.admin().alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                        new ScramCredentialInfo(mechanism, 4096), password))).all().get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // the broker, not only the controller, must know the user before a login works
            while (!kafka.admin().describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).containsKey(user)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("user " + user + " not known to the broker after 30s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create user " + user, e);
        }
        passwords.put(user, password);
        return user;
    }

    /** Client properties logging in as this user (SCRAM-SHA-512 over TLS, trusting the broker's CA). */
    public Map<String, String> clientProperties(String user) {
        String password = passwords.get(user);
        if (password == null) {
            throw new IllegalArgumentException("no user '" + user + "': create it with createUser");
        }
        return clientProperties(user, password);
    }

    /** Client properties logging in as this user with this password (which may be wrong, on purpose). */
    public Map<String, String> clientProperties(String user, String password) {
        return broker.clientProperties(user, password, MECHANISM);
    }

    /**
     * Allows a user these operations on the resources matching a pattern (LITERAL: this name;
     * PREFIXED: every name starting with it), and returns once the broker enforces it.
     */
    public void allow(String user, ResourceType type, String name, PatternType pattern, AclOperation... operations) {
        List<AclBinding> bindings = new ArrayList<>();
        for (AclOperation operation : operations) {
            bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
        }
        try {
            kafka.admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // DescribeAcls is answered from the broker's own authorizer: once it lists them, they apply
            while (true) {
                var known = kafka.admin().describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values()
                        .get(30, TimeUnit.SECONDS);
                if (known.containsAll(bindings)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("ACLs " + bindings + " not applied after 30s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create ACLs " + bindings, e);
        }
    }

    /** Properties for a plain Kafka client of this user: bootstrap servers plus {@link #clientProperties(String)}. */
    public Map<String, Object> clientConfig(String user) {
        Map<String, Object> props = new HashMap<>(clientProperties(user));
        props.put("bootstrap.servers", bootstrapServers());
        return props;
    }
}
