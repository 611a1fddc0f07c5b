package io.wharf.resp.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One command as the client sent it: the name and its arguments, raw bytes.
 *
 * @param args the command name followed by its arguments; never empty
 */
public record RespRequest(List<byte[]> args) implements RespInbound {
    public RespRequest {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("a request has at least a command name");
        }
    }

    /** A request from text arguments (tests, inline commands). */
    public static RespRequest of(String... args) {
        return new RespRequest(java.util.Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** The command name in upper case: names are case-insensitive. */
    public String name() {
        // names are ASCII; an upper-case name is returned without a second copy
        return new String(args.get(0), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    /** The number of elements, the name included. */
    public int size() {
        return args.size();
    }

    /** Element {@code i} (0 is the name) as bytes. */
    public byte[] arg(int i) {
        return args.get(i);
    }

    /** Element {@code i} (0 is the name) as UTF-8 text. */
    public String text(int i) {
        return new String(args.get(i), StandardCharsets.UTF_8);
    }

    /** Element {@code i} in upper case, for keywords such as {@code LEFT} or {@code COUNT}. */
    public String keyword(int i) {
        return text(i).toUpperCase(Locale.ROOT);
    }
}
