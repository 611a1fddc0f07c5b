package io.wharf.core.tls;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.wharf.core.config.ConfigException;
import io.wharf.core.logging.LogValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one door's listener: the server context built from the door's {@link TlsSettings}
 * (OpenSSL through netty-tcnative where it loads, the JDK's otherwise), the handler each new
 * connection gets, and the reload that swaps in a new context when the files change. New
 * connections take the newest context; live ones keep the one they started with. A file that
 * changed into something unusable logs a warning and leaves the previous context in place.
 */
public final class ServerTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final String door;
    private final String key;
    private final TlsSettings settings;
    private final SslProvider provider;
    private final TlsHandshakes handshakes;
    private final ScheduledExecutorService reloads;
    /** Written by the reload thread, read by every event loop when a connection arrives. */
    private volatile Current current;
    /** Digest of the files last tried, good or not; guarded by {@code this} (the reload thread and tests ask). */
    private byte[] attempted;

    private record Current(SslContext context, TlsMaterial material) {
    }

    private ServerTls(String door, String key, TlsSettings settings, SslProvider provider, MeterRegistry registry)
            throws TlsMaterial.Unusable {
        this.door = door;
        this.key = key;
        this.settings = settings;
        this.provider = provider;
        TlsMaterial material = TlsMaterial.read(settings, key);
        this.current = new Current(build(material), material);
        this.attempted = material.fingerprint();
        Counter failures = Counter.builder("wharf.tls.handshake.failures")
                .description("TLS handshakes that failed or timed out, by door")
                .tag("door", door)
                .register(registry);
        this.handshakes = new TlsHandshakes(door, failures);
        if (settings.reloadInterval().isZero()) {
            this.reloads = null;
        } else {
            this.reloads = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wharf-tls-reload-" + door);
                t.setDaemon(true);
                return t;
            });
            long every = settings.reloadInterval().toMillis();
            reloads.scheduleWithFixedDelay(this::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Reads a door's TLS files and builds its context.
     *
     * @param door     the door's name, e.g. {@code http} (the metrics' {@code door} tag, thread and log names)
     * @param key      the settings' key in the file, e.g. {@code http.tls}, named by every error
     * @param settings the door's TLS settings; must be {@link TlsSettings#enabled() enabled}
     * @throws ConfigException naming the key when a value or file is unusable
     */
    public static ServerTls start(String door, String key, TlsSettings settings, MeterRegistry registry) {
        return start(door, key, settings, registry, OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    /** The same with a chosen provider (tests run both). */
    static ServerTls start(String door, String key, TlsSettings settings, MeterRegistry registry, SslProvider provider) {
        List<String> problems = new ArrayList<>();
        settings.problems(key, problems);
        if (!settings.enabled()) {
            problems.add(key + ": TLS is off (set cert and key, or keystore)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid configuration: " + String.join("; ", problems));
        }
        try {
            ServerTls tls = new ServerTls(door, key, settings, provider, registry);
            LOG.info("event=tls-ready door={} provider={} protocols={} client-auth={} subject=\"{}\" not-after={}", door,
                    tls.providerName(), String.join(",", tls.protocols()), TlsSettings.name(settings.clientAuth()),
                    tls.current.material().certificate().getSubjectX500Principal().getName(),
                    tls.current.material().certificate().getNotAfter().toInstant());
            return tls;
        } catch (TlsMaterial.Unusable e) {
            throw new ConfigException("invalid configuration: " + e.getMessage());
        }
    }

    /** The handler a new connection starts with: the newest context, the configured handshake timeout. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler handler = current.context().newHandler(alloc);
        handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        return handler;
    }

    /**
     * A listener's pipeline: TLS first, then the door's own handlers, so everything the door reads
     * and writes is plain text.
     *
     * @param doorPipeline the door's own channel initializer (or handler), added behind TLS
     */
    public ChannelInitializer<Channel> initializer(ChannelHandler doorPipeline) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(TlsHandshakes.TLS, newHandler(ch.alloc()))
                        .addLast(TlsHandshakes.NAME, handshakes)
                        .addLast(doorPipeline);
            }
        };
    }

    /** {@code OpenSSL} (netty-tcnative's BoringSSL) or {@code JDK}. */
    String providerName() {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL";
    }

    /** The protocols offered. */
    List<String> protocols() {
        return settings.protocols();
    }

    /** A line for the door's start-up log: provider, protocols and client certificates. */
    public String describe() {
        return "TLS via " + providerName() + ", " + String.join(", ", protocols()) + ", "
                + (settings.clientAuth() == TlsSettings.ClientAuth.NONE ? "no client certificates"
                        : "client certificates " + TlsSettings.name(settings.clientAuth()));
    }

    /**
     * Reads the files again now and swaps in a new context if they changed and are usable: what the
     * reload thread does every {@code reload-interval}.
     *
     * @return true when a new context was built
     */
    boolean reloadIfChanged() {
        synchronized (this) { // the reload thread and tests may both ask; one read at a time
            try {
                byte[] now = TlsMaterial.fingerprint(settings, key);
                if (MessageDigest.isEqual(now, attempted)) {
                    return false;
                }
                TlsMaterial material;
                try {
                    material = TlsMaterial.read(settings, key);
                } finally {
                    attempted = now;
                }
                Current next = new Current(build(material), material);
                var was = current.material().certificate();
                current = next;
                LOG.info("event=tls-reloaded door={} subject=\"{}\" serial={} not-after={} was-serial={}", door,
                        material.certificate().getSubjectX500Principal().getName(),
                        material.certificate().getSerialNumber().toString(16), material.certificate().getNotAfter().toInstant(),
                        was.getSerialNumber().toString(16));
                return true;
            } catch (TlsMaterial.Unusable e) {
                LOG.warn("event=tls-reload-failed door={} error=\"{}\" kept-serial={}", door, LogValue.of(e.getMessage()),
                        current.material().certificate().getSerialNumber().toString(16));
                return false;
            } catch (RuntimeException e) {
                // never let the schedule die: the next interval tries again
                LOG.warn("event=tls-reload-failed door={} error=\"{}\"", door, LogValue.of(String.valueOf(e)));
                return false;
            }
        }
    }

    private SslContext build(TlsMaterial material) throws TlsMaterial.Unusable {
        SslContextBuilder builder = SslContextBuilder.forServer(material.key(), material.chain())
                .sslProvider(provider)
                .protocols(settings.protocols())
                .ciphers(settings.ciphers().isEmpty() ? null : settings.ciphers());
        if (settings.clientAuth() != TlsSettings.ClientAuth.NONE) {
            builder.trustManager(material.trust())
                    .clientAuth(settings.clientAuth() == TlsSettings.ClientAuth.REQUIRED ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
        }
        try {
            return builder.build();
        } catch (Exception e) {
            String what = settings.ciphers().isEmpty() ? key : key + ".ciphers";
            throw new TlsMaterial.Unusable(what + ": cannot build a TLS context with " + providerName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Stops the reload thread; connections keep their contexts. */
    @Override
    public void close() {
        if (reloads != null) {
            reloads.shutdownNow();
        }
    }
}
