package io.wharf.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP endpoint for tests: every request lands in a ledger, a per-path script decides what
 * happens (fail before applying, apply then fail, answer late, ...), and effects are applied at most
 * once per idempotency key when de-duplication is on (IETF draft semantics: 409 while a request with
 * the key is still in progress, the stored answer once it is done).
 */
final class LedgerEndpoint implements AutoCloseable {
    /**
     * One request as received.
     *
     * @param path           the context path
     * @param idempotencyKey its Idempotency-Key header
     * @param key            its Wharf-Key header (record key), or null
     * @param attempt        its Wharf-Attempt header
     * @param headers        every header, names lower-cased (first value)
     * @param body           the body
     * @param receivedNanos  when it arrived
     */
    record Request(String path, String idempotencyKey, String key, int attempt, Map<String, String> headers, byte[] body,
                   long receivedNanos) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /**
     * What to do with a request.
     *
     * @param rejectStatus  non-zero: answer this without applying (e.g. 503, 429, 422)
     * @param replyStatus   status after applying (200, or e.g. 500 for "applied but failed")
     * @param delayMillis   answer this much later (longer than the relay's timeout = a timeout after applying)
     * @param headers       extra response headers (e.g. Retry-After)
     */
    record Plan(int rejectStatus, int replyStatus, long delayMillis, Map<String, String> headers,
                CompletableFuture<?> gate) {
        static Plan ok() {
            return new Plan(0, 200, 0, Map.of(), null);
        }

        static Plan okAfter(long delayMillis) {
            return new Plan(0, 200, delayMillis, Map.of(), null);
        }

        /** Applied at once, answered 200 when the gate opens. */
        static Plan okWhen(CompletableFuture<?> gate) {
            return new Plan(0, 200, 0, Map.of(), gate);
        }

        static Plan reject(int status) {
            return new Plan(status, 0, 0, Map.of(), null);
        }

        static Plan reject(int status, Map<String, String> headers) {
            return new Plan(status, 0, 0, headers, null);
        }

        static Plan applyThen(int status, long delayMillis) {
            return new Plan(0, status, delayMillis, Map.of(), null);
        }
    }

    /** Decides the plan of each request of one path. */
    interface Script {
        Plan plan(Request request);
    }

    /** The ledger of one path. */
    static final class Ledger {
        final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
        /** applied effects in application order */
        final List<Request> effects = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peakInFlight = new AtomicInteger();
        /** two different events of one record key at the endpoint at the same time */
        final AtomicInteger keyOverlaps = new AtomicInteger();
        final AtomicLong deduplicated = new AtomicLong();
        final AtomicLong conflicts = new AtomicLong();
        private final Map<String, String> openEventOfKey = new HashMap<>();
        private final Map<String, Integer> openCountOfKey = new HashMap<>();
        private final Map<String, String> done = new ConcurrentHashMap<>();
        private final Map<String, Boolean> inProgress = new ConcurrentHashMap<>();
        volatile Script script = r -> Plan.ok();
        volatile boolean deduplicate = true;

        List<Request> requests() {
            synchronized (requests) {
                return new ArrayList<>(requests);
            }
        }

        List<Request> effects() {
            synchronized (effects) {
                return new ArrayList<>(effects);
            }
        }

        private synchronized void open(Request r) {
            if (r.key() == null) {
                return;
            }
            String open = openEventOfKey.get(r.key());
            if (open != null && !open.equals(r.idempotencyKey())) {
                keyOverlaps.incrementAndGet();
            }
            openEventOfKey.put(r.key(), r.idempotencyKey());
            openCountOfKey.merge(r.key(), 1, Integer::sum);
        }

        private synchronized void close(Request r) {
            if (r.key() == null) {
                return;
            }
            if (openCountOfKey.merge(r.key(), -1, Integer::sum) <= 0) {
                openCountOfKey.remove(r.key());
                openEventOfKey.remove(r.key());
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService later = Executors.newScheduledThreadPool(2);
    private final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();

    private LedgerEndpoint(HttpServer server, ExecutorService handlers) {
        this.server = server;
        this.handlers = handlers;
    }

    /** Starts on a free loopback port. */
    static LedgerEndpoint start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        ExecutorService handlers = Executors.newFixedThreadPool(16);
        server.setExecutor(handlers);
        LedgerEndpoint endpoint = new LedgerEndpoint(server, handlers);
        server.createContext("/", endpoint::handle);
        server.start();
        return endpoint;
    }

    /** The URL of a path; its ledger starts empty, answering 200. */
    URI url(String path) {
        ledger(path);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    Ledger ledger(String path) {
        return ledgers.computeIfAbsent(path, p -> new Ledger());
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new HashMap<>();
        for (Map.Entry<String, List<String>> e : exchange.getRequestHeaders().entrySet()) {
            headers.put(e.getKey().toLowerCase(), e.getValue().get(0));
        }
        String path = exchange.getRequestURI().getPath();
        Ledger ledger = ledgers.get(path);
        if (ledger == null) {
            respond(exchange, 404, Map.of(), "no such path");
            return;
        }
        String attempt = headers.get("wharf-attempt");
        Request r = new Request(path, headers.get("idempotency-key"), headers.get("wharf-key"),
                attempt == null ? 0 : Integer.parseInt(attempt), headers, body, System.nanoTime());
        ledger.requests.add(r);
        int now = ledger.inFlight.incrementAndGet();
        ledger.peakInFlight.accumulateAndGet(now, Math::max);
        ledger.open(r);
        Plan plan;
        try {
            plan = ledger.script.plan(r);
        } catch (RuntimeException e) {
            plan = Plan.reject(500);
        }
        String idem = r.idempotencyKey() == null ? "" : r.idempotencyKey();
        if (plan.rejectStatus() != 0) {
            finish(exchange, ledger, r, plan.rejectStatus(), plan.headers(), "rejected", plan.delayMillis(), null, null);
            return;
        }
        if (ledger.deduplicate) {
            String stored = ledger.done.get(idem);
            if (stored != null) {
                ledger.deduplicated.incrementAndGet();
                finish(exchange, ledger, r, 200, Map.of(), stored, 0, null, null);
                return;
            }
            if (ledger.inProgress.putIfAbsent(idem, Boolean.TRUE) != null) {
                ledger.conflicts.incrementAndGet();
                finish(exchange, ledger, r, 409, Map.of(), "in progress", 0, null, null);
                return;
            }
        }
        ledger.effects.add(r);
        String answer = "done:" + idem;
        // "done" becomes visible only when the answer goes out: until then, a retry gets 409
        finish(exchange, ledger, r, plan.replyStatus(), plan.headers(), answer, plan.delayMillis(),
                ledger.deduplicate ? () -> {
                    ledger.done.put(idem, answer);
                    ledger.inProgress.remove(idem);
                } : null, plan.gate());
    }

    private void finish(HttpExchange exchange, Ledger ledger, Request r, int status, Map<String, String> headers,
                        String body, long delayMillis, Runnable beforeAnswer, CompletableFuture<?> gate) {
        Runnable answer = () -> {
            try {
                if (beforeAnswer != null) {
                    beforeAnswer.run();
                }
                ledger.close(r);
                ledger.inFlight.decrementAndGet();
                respond(exchange, status, headers, body);
            } catch (IOException e) {
                // the relay gave up on this request (timeout) and closed the connection: expected
            }
        };
        if (gate != null) {
            gate.whenComplete((v, e) -> later.execute(answer));
        } else if (delayMillis > 0) {
            later.schedule(answer, delayMillis, TimeUnit.MILLISECONDS);
        } else {
            answer.run();
        }
    }

    private static void respond(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        try (exchange) {
            Headers h = exchange.getResponseHeaders();
            headers.forEach(h::set);
            h.set("Content-Type", "text/plain");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        later.shutdownNow();
        handlers.shutdownNow();
    }
}
