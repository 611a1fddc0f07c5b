package io.wharf.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.wharf.testkit.gateway.TestGateway;

/**
 * A plain socket speaking HTTP/1.1 by hand, for requests the JDK client will not send (a WebSocket
 * upgrade whose refusal body the test reads).
 */
final class RawHttp {
    private RawHttp() {
    }

    /** Status code and body of a WebSocket upgrade request to the path, with extra header lines. */
    static String[] upgrade(TestGateway gateway, String path, String... headerLines) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.endpoint("http").port())) {
            socket.setSoTimeout(30_000);
            StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
            for (String h : headerLines) {
                request.append(h).append("\r\n");
            }
            request.append("\r\n");
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int status = Integer.parseInt(head.split(" ")[1]);
            byte[] body = in.readNBytes(contentLength(head));
            return new String[] {String.valueOf(status), new String(body, StandardCharsets.UTF_8)};
        }
    }

    /** A reply read off a raw socket: status, head (status line and headers) and body. */
    record Reply(int status, String head, String body) {
    }

    /**
     * Sends a request exactly as given (bytes, so a test can send what no client library would)
     * and reads one reply; {@code closed} is true when the server closed the connection after it.
     */
    static Reply request(TestGateway gateway, byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", gateway.endpoint("http").port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head.isEmpty()) {
                return new Reply(-1, "", "");
            }
            int status = Integer.parseInt(head.split(" ")[1]);
            byte[] body = in.readNBytes(contentLength(head));
            return new Reply(status, head, new String(body, StandardCharsets.UTF_8));
        }
    }

    /** {@link #request(TestGateway, byte[])} of UTF-8 text. */
    static Reply request(TestGateway gateway, String request) throws IOException {
        return request(gateway, request.getBytes(StandardCharsets.UTF_8));
    }

    /** The Content-Length of a response head, 0 without one. */
    static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    /** Reads up to and including the blank line ending a response head. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            out.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
