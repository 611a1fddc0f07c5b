package io.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.wharf.testkit.ExternalTool;
import io.wharf.testkit.SharedKafka;
import io.wharf.testkit.TestKafka;
import io.wharf.testkit.gateway.TestGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real browser (headless Chromium) on a page of another origin (the same host, another port, served
 * by a JDK HTTP server) uses Wharf with {@code EventSource}, {@code fetch} (a JSON POST, so a preflight
 * first) and {@code WebSocket}. Allowed, all three work and the page can read error replies and exposed
 * headers; not allowed, all three fail and nothing is produced. The page posts what it saw back to its
 * own server, which the test waits on.
 */
class BrowserCorsTest {
    private static final TestKafka KAFKA = SharedKafka.get();
    /** A bound for the whole page, Chromium's start included, on a busy machine. */
    private static final long RESULT_SECONDS = 90;

    private HttpServer pages;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private volatile String page;
    private Path profile;
    private Process chromium;

    @BeforeEach
    void servePages() throws IOException {
        ExternalTool.CHROMIUM.path();
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", this::servePage);
        pages.start();
        profile = Files.createTempDirectory("wharf-chromium-");
    }

    @AfterEach
    void stop() throws Exception {
        if (chromium != null) {
            chromium.descendants().forEach(ProcessHandle::destroy);
            chromium.destroy();
            if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
                chromium.descendants().forEach(ProcessHandle::destroyForcibly);
                chromium.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (pages != null) {
            pages.stop(0);
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void servePage(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/page.html")) {
                byte[] body = page.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            } else if (path.equals("/result") && exchange.getRequestMethod().equals("POST")) {
                result.complete(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        }
    }

    private String pageOrigin() {
        return "http://127.0.0.1:" + pages.getAddress().getPort();
    }

    /** Opens the page in Chromium against this Wharf and topic, and returns what the page reported. */
    private JsonNode runPage(TestGateway gateway, String topic) throws Exception {
        String wharf = "http://127.0.0.1:" + gateway.endpoint("http").port();
        page = PAGE.replace("%WHARF%", wharf).replace("%TOPIC%", topic);
        Path log = profile.resolve("chromium.log");
        chromium = new ProcessBuilder(ExternalTool.CHROMIUM.path().toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--user-data-dir=" + profile.resolve("profile"), "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                pageOrigin() + "/page.html")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String reported;
        try {
            reported = result.get(RESULT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the page reported nothing within " + RESULT_SECONDS + " s; chromium said:\n"
                    + Files.readString(log), e);
        }
        return TestClients.JSON.readTree(reported);
    }

    @Test
    void fromAnAllowedOriginEventSourceFetchAndWebSocketAllWork() throws Exception {
        String topic = KAFKA.createTopic("browser-cors", 1);
        try (TestGateway gateway = TestGateway.builder().kafka(KAFKA)
                .with(HttpSettings.class, HttpSettings.defaults().withCors(CorsSettings.allowing(pageOrigin()))).start()) {
            JsonNode seen = runPage(gateway, topic);

            assertThat(seen.get("fetchError").isNull()).as(seen.toString()).isTrue();
            assertThat(seen.get("produce").get("status").asInt()).as(seen.toString()).isEqualTo(200);
            assertThat(seen.get("produce").get("body").get("records")).hasSize(2);
            // the records fetch produced arrive over SSE and over the WebSocket, exactly
            assertThat(seen.get("sse")).as(seen.toString()).extracting(JsonNode::asText)
                    .containsExactly("from-browser-1", "from-browser-2");
            assertThat(seen.get("ws")).as(seen.toString()).extracting(JsonNode::asText)
                    .containsExactly("from-browser-1", "from-browser-2");
            assertThat(seen.get("wsOpened").asBoolean()).isTrue();
            // an exposed header and an error reply are readable by the page
            assertThat(seen.get("replayed").asText()).isEqualTo("true");
            assertThat(seen.get("badTopic").get("status").asInt()).isEqualTo(400);
            assertThat(seen.get("badTopic").get("error").asText()).isEqualTo("bad_topic");
            assertThat(KAFKA.readAll(topic, 2, java.time.Duration.ofSeconds(30))).hasSize(2);
        }
    }

    @Test
    void fromAnOriginNotAllowedAllThreeFailAndNothingIsProduced() throws Exception {
        String topic = KAFKA.createTopic("browser-cors-refused", 1);
        // no cors section: the default, only the door's own origin
        try (TestGateway gateway = TestGateway.builder().kafka(KAFKA).start()) {
            JsonNode seen = runPage(gateway, topic);

            assertThat(seen.get("fetchError").asText()).as(seen.toString()).startsWith("TypeError");
            assertThat(seen.get("produce").isNull()).isTrue();
            assertThat(seen.get("sseError").asBoolean()).as(seen.toString()).isTrue();
            assertThat(seen.get("sseState").asInt()).isEqualTo(2); // EventSource.CLOSED: the browser gave up
            assertThat(seen.get("sse")).isEmpty();
            assertThat(seen.get("wsOpened").asBoolean()).isFalse();
            assertThat(seen.get("wsClose").asInt()).isEqualTo(1006);
            assertThat(seen.get("ws")).isEmpty();

            JsonNode poll = TestClients.json(TestClients.get(gateway, "/topics/" + topic + "?start=earliest&wait=0"));
            assertThat(poll.get("records")).isEmpty();
            String metrics = TestClients.get(gateway, "/metrics").body();
            assertThat(metrics).contains("wharf_http_origin_refused_total{what=\"preflight\"} 1.0",
                    "wharf_http_origin_refused_total{what=\"websocket\"} 1.0");
        }
    }

    /** The page: reports once everything it tried has worked or failed (or after 30 s, with what it has). */
    private static final String PAGE = """
            <!doctype html>
            <html><body><script>
            const W = "%WHARF%", T = "%TOPIC%";
            const out = {sse: [], ws: [], sseError: false, sseState: null, wsOpened: false, wsClose: null,
                         produce: null, replayed: null, badTopic: null, fetchError: null};
            let reported = false, produced = false, sseOpen = false, subscribed = false, failures = 0;
            function report() {
              if (reported) return;
              reported = true;
              try { es.close(); } catch (e) {}
              try { ws.close(); } catch (e) {}
              fetch("/result", {method: "POST", body: JSON.stringify(out)});
            }
            setTimeout(report, 30000);
            function check() {
              if (produced && out.sse.length >= 2 && out.ws.length >= 2) report();
            }
            async function produce() {
              if (produced) return;
              try {
                const batch = JSON.stringify([{value: "from-browser-1"}, {value: "from-browser-2"}]);
                const post = () => fetch(W + "/topics/" + T, {method: "POST", body: batch,
                    headers: {"Content-Type": "application/json", "Idempotency-Key": "browser-batch-1"}});
                const r = await post();
                out.produce = {status: r.status, body: await r.json()};
                const again = await post();
                out.replayed = again.headers.get("Idempotent-Replayed");
                const bad = await fetch(W + "/topics/__consumer_offsets", {method: "POST",
                    headers: {"Content-Type": "application/json"}, body: "[{\\"value\\":\\"x\\"}]"});
                out.badTopic = {status: bad.status, error: (await bad.json()).error};
              } catch (e) {
                out.fetchError = String(e);
              }
              produced = true;
              check();
            }
            function ready() { if (sseOpen && subscribed) produce(); }
            function failed() { if (++failures === 2) produce().then(report); }
            const es = new EventSource(W + "/topics/" + T + "?start=earliest");
            es.addEventListener("open", () => { sseOpen = true; ready(); });
            es.addEventListener("record", e => { out.sse.push(JSON.parse(e.data).value); check(); });
            es.onerror = () => {
              if (sseOpen) return;
              out.sseError = true;
              out.sseState = es.readyState;
              es.close();
              failed();
            };
            const ws = new WebSocket(W.replace("http:", "ws:") + "/ws");
            ws.onopen = () => {
              out.wsOpened = true;
              ws.send(JSON.stringify({type: "subscribe", id: "s1", topic: T, start: "earliest"}));
            };
            ws.onmessage = e => {
              const m = JSON.parse(e.data);
              if (m.type === "subscribed") { subscribed = true; ready(); }
              if (m.type === "records") { for (const r of m.records) out.ws.push(r.value); check(); }
            };
            ws.onclose = e => { if (!reported) { out.wsClose = e.code; if (!out.wsOpened) failed(); } };
            </script></body></html>
            """;
}
