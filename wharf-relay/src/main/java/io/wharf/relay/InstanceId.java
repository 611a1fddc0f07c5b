package io.wharf.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.wharf.core.config.WharfConfig;
import io.wharf.relay.config.RelaySettings;

/**
 * This instance's stable identity among instances sharing routes: the configured
 * {@code relay.instance-id}, or the host name plus a digest of the data directory, which survives
 * restarts and differs between instances on one host that keep their data apart.
 */
final class InstanceId {
    private InstanceId() {
    }

    static String of(WharfConfig config) {
        String configured = config.section(RelaySettings.class).instanceId();
        if (configured != null) {
            return configured;
        }
        String dir = config.dataDir().toAbsolutePath().normalize().toString();
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(dir.getBytes(StandardCharsets.UTF_8));
            return sanitize(hostName()) + "-" + HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // InetAddress.getLocalHost() may wait on DNS; the kernel's name is what we want anyway
    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            return "wharf";
        }
    }

    private static String sanitize(String s) {
        String clean = s.replaceAll("[^a-zA-Z0-9._-]", "_");
        return clean.isEmpty() ? "wharf" : clean.length() > 60 ? clean.substring(0, 60) : clean;
    }
}
