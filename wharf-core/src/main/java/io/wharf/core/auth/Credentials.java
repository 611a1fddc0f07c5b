package io.wharf.core.auth;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.wharf.core.access.Principal;
import io.wharf.core.auth.jwt.JwtCheck;
import io.wharf.core.auth.jwt.JwtVerifier;
import io.wharf.core.auth.jwt.VerifiedJwt;
import io.wharf.core.config.AuthSettings;
import io.wharf.core.config.DurationText;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks what clients present against the configured credentials, in constant time, and keeps the
 * budget of failed attempts per client address ({@link #attempt}). Every front door asks this one
 * object, so auth, and a guessing client's refusal, mean the same everywhere.
 */
public final class Credentials implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Credentials.class);
    private static final WarningThrottle REFUSING_WARNINGS = new WarningThrottle(Duration.ofSeconds(1));
    /** The user a bare password belongs to, as in Redis. */
    public static final String DEFAULT_USER = "default";
    /** What a log line says instead of a user name that is not configured (it may be a mistyped password). */
    public static final String UNKNOWN_USER = "<unknown>";

    private final AuthSettings settings;
    private final FailureBudget budget;
    private final MeterRegistry registry;
    private final Map<String, DoorCounters> counters = new ConcurrentHashMap<>();
    private final JwtVerifier jwt;

    private record DoorCounters(Counter failures, Counter refused) {
    }

    /** Credentials whose counters go nowhere (tests of a door's parsing). */
    public Credentials(AuthSettings settings) {
        this(settings, new SimpleMeterRegistry());
    }

    /** Credentials counting {@code wharf.auth.failures} and {@code wharf.auth.refused} per door in the registry. */
    public Credentials(AuthSettings settings, MeterRegistry registry) {
        this(settings, registry, System::nanoTime);
    }

    Credentials(AuthSettings settings, MeterRegistry registry, LongSupplier clock) {
        this.settings = settings;
        this.registry = registry;
        this.budget = new FailureBudget(settings, clock);
        this.jwt = settings.jwt() == null ? null : new JwtVerifier(settings.jwt(), registry);
        Gauge.builder("wharf.auth.tracked.addresses", budget, FailureBudget::trackedAddresses)
                .description("client addresses remembered with failed authentication attempts").register(registry);
    }

    /**
     * One authentication attempt of a client address at a door: refused at once, without running
     * {@code check}, while the address is over its budget of failures; otherwise {@code check}
     * decides, a failure counts against the address and a success forgets its failures. Never
     * blocks, so a door may call it on an event loop.
     *
     * @param door    the door's metrics tag, e.g. {@code resp}
     * @param address the client's address without its port ({@link #hostOf})
     * @param check   the principal of the presented credentials, or null when they are not valid
     */
    public AuthOutcome attempt(String door, String address, Supplier<Principal> check) {
        AuthOutcome.Refused refused = refusedNow(door, address);
        if (refused != null) {
            return refused;
        }
        return settle(door, address, check.get(), null);
    }

    /**
     * One attempt with a bearer credential (HTTP {@code Authorization: Bearer}, {@code access_token},
     * or a RESP {@code AUTH} password that is a JWT): a configured token, else a JWT when
     * {@code auth.jwt} is set. Never blocks: a JWT signed by a key not fetched yet answers
     * {@link AuthOutcome.Pending}.
     */
    public AuthOutcome attemptBearer(String door, String address, String token) {
        AuthOutcome.Refused refused = refusedNow(door, address);
        if (refused != null) {
            return refused;
        }
        Principal configured = tokenPrincipal(token);
        if (configured != null || jwt == null || token == null) {
            return settle(door, address, configured, null);
        }
        JwtCheck check = jwt.verifyNow(token);
        if (check instanceof JwtCheck.KeysPending pending) {
            return new AuthOutcome.Pending(pending.result().thenApply(done -> settleJwt(door, address, done)));
        }
        return settleJwt(door, address, check);
    }

    /**
     * One attempt with a user name and password, where the password may also be a JWT (Redis
     * clients pass a token as the {@code AUTH} password unchanged).
     */
    public AuthOutcome attemptPassword(String door, String address, String user, String password) {
        if (jwt != null && looksLikeJwt(password) && passwordPrincipal(user, password) == null) {
            return attemptBearer(door, address, password);
        }
        return attempt(door, address, () -> passwordPrincipal(user, password));
    }

    /** Whether {@code auth.jwt} is configured. */
    public boolean acceptsJwt() {
        return jwt != null;
    }

    private static boolean looksLikeJwt(String text) {
        if (text == null) {
            return false;
        }
        int first = text.indexOf('.');
        return first > 0 && text.indexOf('.', first + 1) > first && text.startsWith("ey");
    }

    private AuthOutcome settleJwt(String door, String address, JwtCheck check) {
        if (check instanceof JwtCheck.Verified verified) {
            VerifiedJwt v = verified.jwt();
            return settle(door, address, new Principal(v.subject(), Principal.Kind.JWT, v.roles(), v.claims(),
                    v.expiresAt()), null);
        }
        String reason = check instanceof JwtCheck.Invalid invalid ? invalid.reason() : "the token is not valid";
        return settle(door, address, null, reason);
    }

    private AuthOutcome.Refused refusedNow(String door, String address) {
        long refused = budget.refusedFor(address);
        if (refused > 0) {
            counters.computeIfAbsent(door, this::countersOf).refused().increment();
            return new AuthOutcome.Refused(Duration.ofNanos(refused));
        }
        return null;
    }

    private AuthOutcome settle(String door, String address, Principal principal, String reason) {
        if (principal != null) {
            budget.succeeded(address);
            return new AuthOutcome.Accepted(principal);
        }
        DoorCounters c = counters.computeIfAbsent(door, this::countersOf);
        c.failures().increment();
        long refusal = budget.failed(address);
        if (refusal > 0) {
            long suppressed = REFUSING_WARNINGS.admit();
            if (suppressed >= 0) {
                LOG.warn("event=auth-refusing door={} client={} failures={} for={} suppressed={}", door,
                        LogValue.of(address), settings.maxFailures(), DurationText.format(Duration.ofNanos(refusal)),
                        suppressed);
            }
        }
        return new AuthOutcome.Rejected(reason);
    }

    /** The text a door's client error names the limit with, e.g. for {@code -ERR} or a 429 body. */
    public String refusalMessage(AuthOutcome.Refused refused) {
        return "too many failed authentication attempts from this address (auth.max-failures: "
                + settings.maxFailures() + " within auth.failure-window: " + DurationText.format(settings.failureWindow())
                + "); retry in " + refused.retryAfterSeconds() + "s";
    }

    /**
     * The user name as a log line may show it: a configured user (or {@code default}), else
     * {@link #UNKNOWN_USER}, so a password sent in the user's place ({@code AUTH <password> <user>})
     * or a forged line never reaches the log.
     */
    public String loggedUser(String user) {
        if (user == null || user.isEmpty() || user.equals(DEFAULT_USER)) {
            return DEFAULT_USER;
        }
        return settings.users().containsKey(user) ? LogValue.of(user) : UNKNOWN_USER;
    }

    /** A client's address without its port, the key of its failure budget. */
    public static String hostOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }

    private DoorCounters countersOf(String door) {
        return new DoorCounters(
                Counter.builder("wharf.auth.failures").description("authentication attempts with wrong credentials")
                        .tag("door", door).register(registry),
                Counter.builder("wharf.auth.refused")
                        .description("authentication attempts refused unchecked: the address used up its failure budget")
                        .tag("door", door).register(registry));
    }

    @Override
    public void close() {
        if (jwt != null) {
            jwt.close();
        }
    }

    /** True when any credential is configured, so every front door must authenticate. */
    public boolean required() {
        return settings.enabled();
    }

    /**
     * Whether a user name and password match. A null, empty or {@code default} user means the
     * password of the default user.
     */
    private boolean checkPassword(String user, String password) {
        if (password == null) {
            return false;
        }
        if (user == null || user.isEmpty() || user.equals(DEFAULT_USER)) {
            if (settings.password() != null && same(settings.password(), password)) {
                return true;
            }
            if (user == null || user.isEmpty()) {
                return false;
            }
        }
        String expected = settings.users().get(user);
        return expected != null && same(expected, password);
    }

    /**
     * The principal of a user name and password, or null when they do not match: the user's name,
     * {@code default} for the bare password.
     */
    public Principal passwordPrincipal(String user, String password) {
        if (!checkPassword(user, password)) {
            return null;
        }
        String name = user == null || user.isEmpty() ? DEFAULT_USER : user;
        return new Principal(name, Principal.Kind.USER, null, null, null);
    }

    /**
     * The principal of a configured bearer token, {@code token-<n>} for the n-th of
     * {@code auth.tokens}, or null when the token is not one of them.
     */
    public Principal tokenPrincipal(String token) {
        if (token == null) {
            return null;
        }
        int found = -1;
        for (int i = 0; i < settings.tokens().size(); i++) {
            // every token is compared, so the time taken does not say which one matched
            if (same(settings.tokens().get(i), token) && found < 0) {
                found = i;
            }
        }
        return found < 0 ? null : new Principal("token-" + (found + 1), Principal.Kind.TOKEN, null, null, null);
    }

    /** The principal of kafka-proxy's raw shared secret: the default user's password, or a token. */
    public Principal secretPrincipal(String secret) {
        Principal p = passwordPrincipal(DEFAULT_USER, secret);
        return p != null ? p : tokenPrincipal(secret);
    }

    /**
     * The principal of a TLS client certificate the listener verified: its subject in RFC 2253
     * form, as Kafka names such principals (e.g. {@code CN=device-7,O=Acme}).
     */
    public static Principal certificatePrincipal(String subject) {
        return new Principal(subject, Principal.Kind.CERTIFICATE, null, null, null);
    }

    private static boolean same(String expected, String presented) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }
}
