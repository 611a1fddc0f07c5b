package io.wharf.core.auth.jwt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;

import io.wharf.core.config.ConfigException;
import io.wharf.core.logging.LogValue;
import io.wharf.core.logging.WarningThrottle;

/**
 * The keys of a JWKS file, read at start-up and again, on the key thread, when its modification
 * time or size changes (looked at once a second). A file that stops parsing keeps the last good keys.
 */
final class JwksFile implements PublicKeySource {
    private static final Logger LOG = LoggerFactory.getLogger(JwksFile.class);
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private final Path file;
    private final WarningThrottle warnings = new WarningThrottle(Duration.ofMinutes(1));
    private final ScheduledFuture<?> watch;
    private volatile KeyRing keys;
    private volatile String lastFailure;
    // read and written on the key thread only (after the constructor)
    private FileTime seenModified;
    private long seenSize;

    /** Reads the file now; throws a {@link ConfigException} naming {@code key} when it cannot be used. */
    JwksFile(Path file, String key, ScheduledExecutorService keyThread) {
        this.file = file;
        try {
            seenModified = Files.getLastModifiedTime(file);
            seenSize = Files.size(file);
            keys = read(file);
        } catch (IOException | ParseException | JOSEException e) {
            throw new ConfigException("invalid configuration: " + key + ": '" + file + "' is not a usable JWKS document: "
                    + e.getMessage());
        }
        watch = keyThread.scheduleWithFixedDelay(this::reloadIfChanged, CHECK_INTERVAL.toMillis(),
                CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static KeyRing read(Path file) throws IOException, ParseException, JOSEException {
        return KeyRing.of(JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8)));
    }

    private void reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(seenModified) && size == seenSize) {
                return;
            }
            seenModified = modified;
            seenSize = size;
            keys = read(file);
            lastFailure = null;
            LOG.info("event=jwks_file_reloaded file={} keys={}", LogValue.of(file), keys.size());
        } catch (IOException | ParseException | JOSEException | RuntimeException e) {
            lastFailure = "the signing keys could not be read";
            long suppressed = warnings.admit();
            if (suppressed >= 0) {
                LOG.warn("event=jwks_file_unreadable file={} reason={} keeping=last-good-keys suppressed={}",
                        LogValue.of(file), LogValue.of(e.getMessage()), suppressed);
            }
        }
    }

    @Override
    public KeyRing keys() {
        return keys;
    }

    @Override
    public Optional<CompletableFuture<Void>> refreshForUnknownKey() {
        // the file is watched anyway; a made-up kid must not make anyone read it
        return Optional.empty();
    }

    @Override
    public String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        watch.cancel(false);
    }
}
