package io.wharf.resp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bare RESP2/RESP3 client over a plain socket, for tests that check the exact wire format: bulk
 * strings come back as {@link String}, integers as {@link Long}, arrays as {@link List}, RESP3
 * maps as {@link Map}, errors as {@link Err}, nulls as {@link #NIL}.
 */
final class RawRespClient implements AutoCloseable {
    /** A null bulk, array or RESP3 null. */
    static final Object NIL = new Object() {
        @Override
        public String toString() {
            return "(nil)";
        }
    };

    /** An error reply. */
    record Err(String text) {
    }

    /** A simple-string reply. */
    record Simple(String text) {
    }

    /** An array reply, typed for assertions. */
    @SuppressWarnings("unchecked")
    static List<Object> list(Object reply) {
        return (List<Object>) reply;
    }

    /** A RESP3 map reply, typed for assertions. */
    @SuppressWarnings("unchecked")
    static Map<Object, Object> map(Object reply) {
        return (Map<Object, Object>) reply;
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawRespClient(int port) {
        this(port, null);
    }

    /** A client whose socket is bound to {@code localAddress} (e.g. 127.0.0.2, another loopback address on Linux). */
    RawRespClient(int port, java.net.InetAddress localAddress) {
        try {
            socket = localAddress == null ? new Socket("127.0.0.1", port) : new Socket("127.0.0.1", port, localAddress, 0);
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one command as a multi-bulk array and reads its reply. */
    Object call(String... args) {
        send(args);
        return read();
    }

    /** Sends one command without reading. */
    void send(String... args) {
        writeRaw(encode(args));
    }

    /** The bytes of a multi-bulk command. */
    static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        return b.toByteArray();
    }

    /** Writes raw bytes (inline commands, garbage). */
    void writeRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void writeRaw(String text) {
        writeRaw(text.getBytes(StandardCharsets.UTF_8));
    }

    void timeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one reply. */
    Object read() {
        try {
            return readValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the server closed the connection (end of stream within the socket timeout). */
    boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private Object readValue() throws IOException {
        int type = in.read();
        if (type == -1) {
            throw new IOException("connection closed by the server");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return new Simple(line);
            case '-':
                return new Err(line);
            case ':':
                return Long.parseLong(line);
            case '_':
                return NIL;
            case '#':
                return line.equals("t");
            case ',':
                return Double.parseDouble(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return NIL;
                }
                byte[] data = in.readNBytes(len);
                in.readNBytes(2);
                return new String(data, StandardCharsets.UTF_8);
            }
            case '*':
            case '>':
            case '~': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return NIL;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readValue());
                }
                return items;
            }
            case '%': {
                int n = Integer.parseInt(line);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(readValue(), readValue());
                }
                return map;
            }
            default:
                throw new IOException("unexpected reply type '" + (char) type + "' " + line);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                break;
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
