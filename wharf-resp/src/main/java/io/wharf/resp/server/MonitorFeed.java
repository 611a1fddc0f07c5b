package io.wharf.resp.server;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.Channel;
import io.netty.channel.WriteBufferWaterMark;
import io.wharf.resp.protocol.RespRequest;
import io.wharf.resp.protocol.RespValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections that sent {@code MONITOR}: each receives every command the door executes, as
 * {@code +<unix seconds.micros> [0 <client address>] "CMD" "arg"...}. Passwords are never shown.
 * A monitor that cannot keep up (its send buffer reaches {@link #MONITOR_BUFFER_BYTES}) is
 * disconnected, so it can never grow the heap.
 */
final class MonitorFeed {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorFeed.class);
    /** Bytes queued for one monitor before it is considered too slow and disconnected. */
    static final int MONITOR_BUFFER_BYTES = 4 * 1024 * 1024;

    private final Set<Channel> monitors = ConcurrentHashMap.newKeySet();
    private volatile boolean active;

    /** Starts streaming to a connection. */
    void add(Channel channel) {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(MONITOR_BUFFER_BYTES / 2, MONITOR_BUFFER_BYTES));
        monitors.add(channel);
        active = true;
    }

    /** Stops streaming to a connection (it closed). */
    void remove(Channel channel) {
        monitors.remove(channel);
        active = !monitors.isEmpty();
    }

    /** Whether anyone is watching; checked before formatting a line. */
    boolean active() {
        return active;
    }

    /** Sends one executed command to every monitor except the connection that sent it. */
    void publish(Channel from, String client, RespRequest request) {
        String line = format(Instant.now(), client, request);
        for (Channel monitor : monitors) {
            if (monitor == from) {
                continue;
            }
            if (!monitor.isWritable()) {
                LOG.warn("event=resp-monitor-too-slow client={} action=disconnect", monitor.remoteAddress());
                remove(monitor);
                monitor.close();
                continue;
            }
            monitor.writeAndFlush(new RespValue.Simple(line));
        }
    }

    static String format(Instant at, String client, RespRequest request) {
        StringBuilder line = new StringBuilder(64);
        line.append(at.getEpochSecond()).append('.').append(String.format(Locale.ROOT, "%06d", at.getNano() / 1000))
                .append(" [0 ").append(client).append(']');
        String name = request.name();
        boolean redactRest = name.equals("AUTH");
        for (int i = 0; i < request.size(); i++) {
            line.append(' ');
            if (redactRest && i > 0) {
                line.append("\"(redacted)\"");
                continue;
            }
            quote(line, request.arg(i));
            // HELLO 3 AUTH user pass: everything after AUTH is a credential
            if (name.equals("HELLO") && i > 0 && request.keyword(i).equals("AUTH")) {
                redactRest = true;
            }
        }
        return line.toString();
    }

    private static void quote(StringBuilder line, byte[] arg) {
        line.append('"');
        for (byte b : arg) {
            int c = b & 0xff;
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '"' -> line.append("\\\"");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        line.append(String.format(Locale.ROOT, "\\x%02x", c));
                    } else {
                        line.append((char) c);
                    }
                }
            }
        }
        line.append('"');
    }
}
