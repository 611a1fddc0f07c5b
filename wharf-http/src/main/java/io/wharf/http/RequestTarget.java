package io.wharf.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A request target ({@code /path?query}) decoded strictly: percent-decoding yields bytes, and
 * text is made of them only when they are valid UTF-8. Malformed escapes ({@code %zz}), and
 * non-UTF-8 bytes where text is required (the path, a parameter name, most values), are a 400
 * naming what is wrong; nothing is silently replaced. In the query {@code +} is a space, as in
 * HTML forms; in the path it is itself.
 *
 * @param path   the decoded path
 * @param params every query parameter's values as the bytes sent, in order
 */
record RequestTarget(String path, Map<String, List<byte[]>> params) {
    /** Most query parameters one request may carry. */
    static final int MAX_PARAMS = 1024;

    static RequestTarget parse(String uri) {
        int end = uri.indexOf('#');
        String target = end < 0 ? uri : uri.substring(0, end);
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String path = text(decode(rawPath, false, "the path"), "the path");
        Map<String, List<byte[]>> params = new LinkedHashMap<>();
        if (q >= 0) {
            int count = 0;
            for (String pair : target.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                if (++count > MAX_PARAMS) {
                    throw ApiError.badRequest("bad_query", "at most " + MAX_PARAMS + " query parameters");
                }
                int eq = pair.indexOf('=');
                String rawName = eq < 0 ? pair : pair.substring(0, eq);
                String name = text(decode(rawName, true, "a query parameter name"), "a query parameter name");
                byte[] value = eq < 0 ? new byte[0] : decode(pair.substring(eq + 1), true, "query parameter '" + name + "'");
                params.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            }
        }
        return new RequestTarget(path, Collections.unmodifiableMap(params));
    }

    /** The first value of a parameter as bytes, or null when absent. */
    byte[] bytes(String name) {
        List<byte[]> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Every parameter as text, except those {@code asBytes} picks (left out: the caller reads them
     * with {@link #params()}); a value that is not UTF-8 is a 400 naming its parameter.
     */
    Map<String, List<String>> text(Predicate<String> asBytes) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        params.forEach((name, values) -> {
            if (asBytes.test(name)) {
                return;
            }
            List<String> texts = new ArrayList<>(values.size());
            for (byte[] v : values) {
                texts.add(text(v, "query parameter '" + name + "'"));
            }
            out.put(name, texts);
        });
        return out;
    }

    /** Every parameter as text. */
    Map<String, List<String>> text() {
        return text(name -> false);
    }

    /** Percent-decodes one component to its bytes. */
    static byte[] decode(String s, boolean plusIsSpace, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' || (plusIsSpace && c == '+') || c > 0x7f) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
                out.writeBytes(s.substring(0, i).getBytes(StandardCharsets.US_ASCII));
                return decodeFrom(s, i, plusIsSpace, what, out);
            }
        }
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] decodeFrom(String s, int from, boolean plusIsSpace, String what, ByteArrayOutputStream out) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 1 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = i + 2 < s.length() ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    String escape = s.substring(i, Math.min(s.length(), i + 3));
                    throw ApiError.badRequest("bad_escape", what + " has a malformed percent-escape '"
                            + escape + "' at index " + i + " (use %XX with two hex digits; %25 for a literal %)");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (plusIsSpace && c == '+') {
                out.write(' ');
            } else if (c > 0xff) {
                // the request line arrives as ISO-8859-1 chars, one per byte the client sent
                throw ApiError.badRequest("bad_escape", what + " has a character that is not a byte");
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    /** The bytes as text when they are valid UTF-8, else a 400 naming {@code what}. */
    static String text(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("bad_utf8", what + " is not valid UTF-8 text");
        }
    }

    /** A header value as Netty holds it (one ISO-8859-1 char per byte sent) read back as the UTF-8 text it was. */
    static String headerText(String value, String name) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7f) {
                return text(headerBytes(value, name), "header " + name);
            }
        }
        return value;
    }

    /** The bytes a header value was sent as. */
    static byte[] headerBytes(String value, String name) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0xff) {
                throw ApiError.badRequest("bad_header", "header " + name + " has a character that is not a byte");
            }
        }
        return value.getBytes(StandardCharsets.ISO_8859_1);
    }
}
