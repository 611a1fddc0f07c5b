package io.wharf.relay.webhook;

import java.nio.charset.StandardCharsets;

/**
 * The documented header names (docs/relay.md): HTTP headers on each webhook call, and Kafka headers
 * on responses and dead letters.
 */
final class RelayHeaders {
    /** The same value on every attempt of one event. */
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final String TOPIC = "Wharf-Topic";
    static final String PARTITION = "Wharf-Partition";
    static final String OFFSET = "Wharf-Offset";
    /** the record's timestamp, milliseconds since the epoch */
    static final String TIMESTAMP = "Wharf-Timestamp";
    /** 1 on the first attempt */
    static final String ATTEMPT = "Wharf-Attempt";
    /** the record key when it is printable ASCII */
    static final String KEY = "Wharf-Key";
    /** the record key in base64 when it is not printable ASCII */
    static final String KEY_BASE64 = "Wharf-Key-Base64";
    /** present ("true") when the record value is null, e.g. a tombstone */
    static final String NULL_VALUE = "Wharf-Null-Value";
    /** record header {@code name} with a printable ASCII value: {@code Wharf-Header-<name>} */
    static final String HEADER_PREFIX = "Wharf-Header-";
    /** record header {@code name} with any other value, in base64: {@code Wharf-Header64-<name>} */
    static final String HEADER64_PREFIX = "Wharf-Header64-";

    static final String SOURCE_TOPIC = "wharf-source-topic";
    static final String SOURCE_PARTITION = "wharf-source-partition";
    static final String SOURCE_OFFSET = "wharf-source-offset";
    static final String OUT_IDEMPOTENCY_KEY = "wharf-idempotency-key";
    static final String ATTEMPTS = "wharf-attempts";
    static final String STATUS = "wharf-status";
    static final String LAST_STATUS = "wharf-last-status";
    static final String REASON = "wharf-reason";
    static final String CONTENT_TYPE = "wharf-content-type";
    static final String TRUNCATED = "wharf-truncated";
    static final String VALUE_OMITTED = "wharf-value-omitted";

    private static final String TOKEN_CHARS = "!#$&'*+.^_`|~-";

    private RelayHeaders() {
    }

    /** Whether every byte is printable ASCII (space to tilde), so it can travel as a header value as is. */
    static boolean printable(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** A record header name as an HTTP token: characters outside the token set (and '%') become %XX of their UTF-8 bytes. */
    static String tokenName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || TOKEN_CHARS.indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
