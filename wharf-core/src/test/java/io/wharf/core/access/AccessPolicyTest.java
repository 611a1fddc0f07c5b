package io.wharf.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.config.AccessSettings;
import io.wharf.core.config.AccessSettings.Rule;
import io.wharf.core.config.AccessSettings.Where;
import io.wharf.core.hub.HubEvent;
import io.wharf.testkit.LogCapture;
import org.junit.jupiter.api.Test;

/** The decision point: grants by name, role, glob and template; deny by default; bound filters; expiry; audit. */
class AccessPolicyTest {
    private static Principal user(String name) {
        return new Principal(name, Principal.Kind.USER, null, null, null);
    }

    private static Principal jwt(String sub, Set<String> roles, Map<String, Object> claims, Instant exp) {
        return new Principal(sub, Principal.Kind.JWT, roles, claims, exp);
    }

    private static final AccessSettings SETTINGS = new AccessSettings(null, Map.of("analyst", List.of("reporting")),
            List.of(new Rule(List.of("role:analyst"), List.of("orders", "metrics.*"), List.of("analyst-*"),
                            List.of("consume"), null),
                    new Rule(List.of("writer"), List.of("orders"), null, List.of("produce"), null),
                    new Rule(List.of("role:customer"), List.of("orders"), null, List.of("consume", "produce"),
                            new Where("${sub}", Map.of())),
                    new Rule(List.of("role:tenant"), List.of("tenant-${claims.tenant}.*"), List.of("${claims.tenant}-*"),
                            List.of("consume", "produce", "create"), new Where(null, Map.of("tenant",
                            "${claims.tenant}"))),
                    new Rule(List.of("anonymous"), List.of("public"), null, List.of("consume"), null)),
            null, null);

    @Test
    void noRulesAllowsEverything() {
        ClientAccess any = new AccessPolicy(AccessSettings.open()).forClient("resp", user("x"));
        assertThat(any.enforced()).isFalse();
        assertThat(any.topic(Operation.DELETE, "__consumer_offsets").allowed()).isTrue();
        assertThat(any.group(Operation.JOIN, "billing").allowed()).isTrue();
        assertThat(any.mayDescribe("anything")).isTrue();
    }

    @Test
    void rolesFromConfigurationGrantGlobsAndGroupsAndEverythingElseIsDenied() {
        ClientAccess reporting = new AccessPolicy(SETTINGS).forClient("http", user("reporting"));
        assertThat(reporting.principal().roles()).containsExactly("analyst");
        assertThat(reporting.topic(Operation.CONSUME, "orders").allowed()).isTrue();
        assertThat(reporting.topic(Operation.CONSUME, "metrics.cpu").allowed()).isTrue();
        assertThat(reporting.topic(Operation.DESCRIBE, "metrics.cpu").allowed()).as("consume implies describe").isTrue();
        assertThat(reporting.topic(Operation.PRODUCE, "orders")).isEqualTo(new Decision.Denied(Operation.PRODUCE,
                "topic 'orders'"));
        assertThat(reporting.topic(Operation.CONSUME, "metricsX")).isInstanceOf(Decision.Denied.class);
        assertThat(reporting.topic(Operation.CONSUME, "__consumer_offsets")).isInstanceOf(Decision.Denied.class);
        assertThat(reporting.group(Operation.JOIN, "analyst-1").allowed()).as("consume with groups grants join").isTrue();
        assertThat(reporting.group(Operation.COMMIT, "analyst-1").allowed()).isTrue();
        assertThat(reporting.group(Operation.JOIN, "billing").refusal()).isEqualTo("not allowed to join group 'billing'");
        assertThat(reporting.mayDescribe("orders")).isTrue();
        assertThat(reporting.mayDescribe("tenant-b.private")).isFalse();

        ClientAccess stranger = new AccessPolicy(SETTINGS).forClient("http", user("stranger"));
        assertThat(stranger.topic(Operation.CONSUME, "orders")).isInstanceOf(Decision.Denied.class);
        assertThat(stranger.topic(Operation.CONSUME, "public")).as("'anonymous' is not any principal")
                .isInstanceOf(Decision.Denied.class);
        ClientAccess anonymous = new AccessPolicy(SETTINGS).forClient("http", Principal.anonymous());
        assertThat(anonymous.topic(Operation.CONSUME, "public").allowed()).isTrue();
        assertThat(anonymous.topic(Operation.PRODUCE, "public").allowed()).isFalse();
    }

    @Test
    void aBoundFilterComesFromTheClaimsAndTopicTemplatesResolvePerPrincipal() {
        ClientAccess alice = new AccessPolicy(SETTINGS).forClient("http", jwt("alice", Set.of("customer"), Map.of(),
                null));
        StreamScope scope = alice.require(Operation.CONSUME, "orders");
        assertThat(scope.unrestricted()).isFalse();
        assertThat(scope.admits(b("alice"), List.of())).isTrue();
        assertThat(scope.admits(b("bob"), List.of())).isFalse();
        assertThat(scope.admits(null, List.of())).isFalse();

        ClientAccess tenantA = new AccessPolicy(SETTINGS).forClient("resp", jwt("u1", Set.of("tenant"),
                Map.of("tenant", "a"), null));
        assertThat(tenantA.topic(Operation.CONSUME, "tenant-a.orders").allowed()).isTrue();
        assertThat(tenantA.topic(Operation.CONSUME, "tenant-b.private")).isInstanceOf(Decision.Denied.class);
        assertThat(tenantA.group(Operation.JOIN, "a-billing").allowed()).isTrue();
        assertThat(tenantA.group(Operation.JOIN, "b-billing").allowed()).isFalse();
        StreamScope produce = tenantA.require(Operation.PRODUCE, "tenant-a.orders");
        assertThat(produce.admits(null, List.of(new HubEvent.Header("tenant", b("a"))))).isTrue();
        assertThat(produce.admits(null, List.of(new HubEvent.Header("tenant", b("b"))))).isFalse();
        assertThat(produce.admits(null, List.of())).isFalse();

        // a claim holding glob characters must not widen the topic pattern
        ClientAccess sly = new AccessPolicy(SETTINGS).forClient("resp", jwt("u2", Set.of("tenant"),
                Map.of("tenant", "*"), null));
        assertThat(sly.topic(Operation.CONSUME, "tenant-b.private")).isInstanceOf(Decision.Denied.class);
        // without the claim the rule grants nothing
        ClientAccess none = new AccessPolicy(SETTINGS).forClient("resp", jwt("u3", Set.of("tenant"), Map.of(), null));
        assertThat(none.topic(Operation.CONSUME, "tenant-.orders")).isInstanceOf(Decision.Denied.class);
    }

    @Test
    void anExpiredCredentialIsRefusedUntilTheClientAuthenticatesAgain() {
        ClientAccess late = new AccessPolicy(SETTINGS).forClient("resp", jwt("alice", Set.of("customer"), Map.of(),
                Instant.now().minusSeconds(1)));
        assertThat(late.expired()).isTrue();
        assertThat(late.topic(Operation.CONSUME, "orders")).isEqualTo(new Decision.Expired());
        assertThatThrownBy(() -> late.require(Operation.CONSUME, "orders")).isInstanceOf(AccessDeniedException.class)
                .hasMessage("the credential has expired; authenticate again");
        assertThat(new AccessPolicy(AccessSettings.open()).forClient("resp", jwt("a", null, null,
                Instant.now().minusSeconds(1))).topic(Operation.CONSUME, "x")).as("also without rules")
                .isInstanceOf(Decision.Expired.class);
    }

    @Test
    void deniesAreCountedAndLoggedOncePerPrincipalOperationAndResource() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccessPolicy policy = new AccessPolicy(SETTINGS, registry);
        try (LogCapture log = new LogCapture()) {
            ClientAccess mallory = policy.forClient("resp", user("mal\nlory"));
            for (int i = 0; i < 5; i++) {
                mallory.topic(Operation.PRODUCE, "orders");
            }
            mallory.topic(Operation.PRODUCE, "bad\r\ntopic");
            policy.forClient("resp", user("reporting")).topic(Operation.CONSUME, "orders");
            List<String> lines = log.text().lines().filter(l -> l.contains("event=access-denied")).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains("event=access-denied door=resp", "operation=produce",
                    "resource=topic 'orders'", "suppressed=0");
            assertThat(log.text()).doesNotContain("mal\nlory", "bad\r\ntopic");
        }
        assertThat(registry.get("wharf.access.decisions").tags("door", "resp", "operation", "produce", "outcome",
                "denied").counter().count()).isEqualTo(6);
        assertThat(registry.get("wharf.access.decisions").tags("door", "resp", "operation", "consume", "outcome",
                "allowed").counter().count()).isEqualTo(1);
    }

    @Test
    void settingsNameTheFieldOfEachMistake() {
        AccessSettings bad = new AccessSettings(null, null, List.of(
                new Rule(List.of(), List.of("t"), null, List.of("read"), null),
                new Rule(List.of("a"), List.of("user-${subject}"), null, List.of("consume"), new Where(null, null)),
                new Rule(List.of("a"), null, List.of("g"), List.of("produce"), null)), null, null);
        List<String> problems = new java.util.ArrayList<>();
        bad.problems("access", problems);
        assertThat(problems).contains("access.rules[0].principals: names no principal",
                "access.rules[0].allow: 'read' is not an operation (commit, consume, create, delete, describe, join, produce)",
                "access.rules[1].topics: 'user-${subject}' uses ${subject}; a template takes ${sub}, ${name} or ${claims.<path>}",
                "access.rules[1].where: binds nothing (give key or headers)",
                "access.rules[2].topics: the rule grants [produce] but names no topics");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
