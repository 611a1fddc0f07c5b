package io.wharf.core.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import io.wharf.core.config.AuthSettings;

/**
 * Failed authentication attempts per client address: after {@code max-failures} within
 * {@code failure-window} the address is refused for {@code refusal}, doubled each time it uses up
 * its budget again, up to {@code max-refusal}; a success forgets the address. At most
 * {@code tracked-addresses} are remembered (the least recently seen is forgotten first). Any thread
 * may call it; {@code addressesLock} guards the map and its entries. Nothing here sleeps: a refused
 * attempt is answered at once.
 */
final class FailureBudget {
    private final int maxFailures;
    private final long windowNanos;
    private final long refusalNanos;
    private final long maxRefusalNanos;
    private final int maxAddresses;
    private final LongSupplier clock;
    private final Object addressesLock = new Object();
    // access order: the eldest is the address seen least recently
    private final LinkedHashMap<String, Address> addresses = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Address> eldest) {
            return size() > maxAddresses;
        }
    };

    /** One address's failures; guarded by {@code addressesLock}. */
    private static final class Address {
        int failures;
        long windowStart;
        int refusals;
        long refusedUntil;
    }

    FailureBudget(AuthSettings settings, LongSupplier clock) {
        this.maxFailures = settings.maxFailures();
        this.windowNanos = settings.failureWindow().toNanos();
        this.refusalNanos = settings.refusal().toNanos();
        this.maxRefusalNanos = settings.maxRefusal().toNanos();
        this.maxAddresses = settings.trackedAddresses();
        this.clock = clock;
    }

    /** Nanoseconds the address stays refused, 0 when it may try. */
    long refusedFor(String address) {
        if (maxFailures == 0) {
            return 0;
        }
        long now = clock.getAsLong();
        synchronized (addressesLock) {
            Address a = addresses.get(address);
            return a == null || now - a.refusedUntil >= 0 ? 0 : a.refusedUntil - now;
        }
    }

    /**
     * Counts a failed attempt; returns the nanoseconds the address is now refused for when this
     * failure used up its budget, else 0.
     */
    long failed(String address) {
        if (maxFailures == 0) {
            return 0;
        }
        long now = clock.getAsLong();
        synchronized (addressesLock) {
            Address a = addresses.computeIfAbsent(address, k -> new Address());
            if (a.failures == 0 || now - a.windowStart > windowNanos) {
                a.failures = 0;
                a.windowStart = now;
            }
            if (a.refusals > 0 && now - a.refusedUntil > maxRefusalNanos + windowNanos) {
                a.refusals = 0; // quiet long enough: start again at the first refusal
            }
            if (++a.failures < maxFailures) {
                return 0;
            }
            a.failures = 0;
            a.refusals++;
            long refusal = refusalNanos << Math.min(a.refusals - 1, 30);
            refusal = refusal <= 0 || refusal > maxRefusalNanos ? maxRefusalNanos : refusal;
            a.refusedUntil = now + refusal;
            return refusal;
        }
    }

    /** The address authenticated: its failures are forgotten. */
    void succeeded(String address) {
        if (maxFailures == 0) {
            return;
        }
        synchronized (addressesLock) {
            addresses.remove(address);
        }
    }

    /** Addresses remembered now (for tests and metrics). */
    int trackedAddresses() {
        synchronized (addressesLock) {
            return addresses.size();
        }
    }
}
