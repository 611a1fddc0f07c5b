package io.wharf.resp.command;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Client ids ({@code <group>:<name>}, set by {@code CLIENT SETNAME}) held by live connections: a
 * name is taken by exactly one open connection and free again once it closes.
 */
public final class ClientNames {
    private final ConcurrentMap<String, Long> holders = new ConcurrentHashMap<>();

    /** Takes a name for a connection; false when another live connection holds it. */
    public boolean claim(String name, long connectionId) {
        Long holder = holders.putIfAbsent(name, connectionId);
        return holder == null || holder == connectionId;
    }

    /** Frees a name if this connection holds it. */
    public void release(String name, long connectionId) {
        if (name != null) {
            holders.remove(name, connectionId);
        }
    }
}
