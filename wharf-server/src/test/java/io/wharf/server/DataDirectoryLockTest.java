package io.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One Wharf with its embedded broker as a child process (issue 11, items 7 and 14): a second Wharf on
 * the same data directory is refused in one line naming the directory and the holder's process id
 * and leaves the first untouched; a connection that does not speak Kafka to the broker's port leaves
 * one log line, not a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataDirectoryLockTest {
    @TempDir
    static Path dir;

    private WharfProcess first;
    private String http;
    private String kafka;

    @BeforeAll
    void startTheFirst() throws Exception {
        first = WharfProcess.startJava(Main.class, args());
        first.awaitReady(120);
        http = first.endpoints().get("http");
        kafka = first.endpoints().get("kafka");
    }

    private String[] args() {
        return new String[] {"--data-dir", dir.resolve("data").toString(), "--kafka-port", "0", "--resp-port", "0",
                "--http-port", "0"};
    }

    @AfterAll
    void stopTheFirst() throws Exception {
        try (WharfProcess wharf = first) {
            assertThat(wharf.terminate()).isZero();
        }
    }

    @Test
    void aSecondWharfOnTheSameDataDirectoryIsRefusedInOneLineAndTheFirstKeepsWorking() throws Exception {
        assertThat(Files.readString(dir.resolve("data").resolve("wharf.lock")).trim()).isEqualTo(String.valueOf(first.pid()));
        try (WharfProcess second = WharfProcess.startJava(Main.class, args())) {
            assertThat(second.awaitExit(60)).isEqualTo(Main.EXIT_STARTUP_FAILED);
            assertThat(second.stderr()).containsExactly("wharf: data directory " + dir.resolve("data").toAbsolutePath()
                    + " is in use by another Wharf (pid " + first.pid() + "); stop it or give this one another --data-dir");
            assertThat(second.stdout()).isEmpty();
        }
        // the first still creates topics, produces and consumes, and is ready
        assertThat(send("PUT", "/topics/after-second", "{\"partitions\":1}").statusCode()).isEqualTo(201);
        HttpResponse<String> produced = send("POST", "/topics/after-second?key=k", "still here");
        assertThat(produced.statusCode()).isEqualTo(200);
        HttpResponse<String> polled = send("GET", "/topics/after-second?start=earliest&wait=5s", null);
        assertThat(polled.statusCode()).isEqualTo(200);
        assertThat(polled.body()).contains("\"value\":\"still here\"");
        assertThat(send("GET", "/readyz", null).statusCode()).isEqualTo(200);
        assertThat(first.stderr()).noneMatch(l -> l.startsWith("\tat "));
    }

    @Test
    void aConnectionThatDoesNotSpeakKafkaToTheBrokersPortIsOneLineEach() throws Exception {
        int before = first.stderr().size();
        // what curl http://host:<kafka-port>/ sends: read as a 1.2 GB frame size
        exchange(("GET / HTTP/1.1\r\nHost: " + kafka + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String oversized = first.awaitStderr("Invalid receive", 30);
        // a small frame with a header Kafka cannot parse
        exchange(new byte[] {0, 0, 0, 10, 'g', 'a', 'r', 'b', 'a', 'g', 'e', '!', '!', '!'});
        first.awaitStderr("Exception while processing request", 30);

        assertThat(oversized).contains("WARN", "event=kafka-connection-error", "closing connection",
                "error=\"org.apache.kafka.common.network.NetworkReceive: Invalid receive (size = 1195725856 larger than");
        List<String> logged = first.stderr().subList(before, first.stderr().size());
        assertThat(logged).as("logged: %s", logged).allMatch(l -> l.contains("event=kafka-connection-error"))
                .hasSize(3);
    }

    private void exchange(byte[] bytes) throws Exception {
        int colon = kafka.lastIndexOf(':');
        try (Socket socket = new Socket(kafka.substring(0, colon), Integer.parseInt(kafka.substring(colon + 1)))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("the broker closes the connection").isEqualTo(-1);
        }
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + http + path)).timeout(Duration.ofSeconds(30));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
