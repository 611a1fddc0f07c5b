package io.wharf.core.logging;

/**
 * Client-supplied text made safe for one log field: control characters, quotes and backslashes are
 * escaped, so a newline in a user name or topic cannot forge a log line, and the text is cut at a
 * bound so one field cannot flood the log.
 */
public final class LogValue {
    /** Characters of client text kept in one log field; the rest is replaced by a count. */
    public static final int MAX_CHARS = 256;

    private LogValue() {
    }

    /** The escaped text of {@code value}; {@code null} becomes the text {@code null}. */
    public static String of(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int limit = Math.min(s.length(), MAX_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            String escape = escape(c);
            if (escape != null && out == null) {
                out = new StringBuilder(limit + 16).append(s, 0, i);
            }
            if (out != null) {
                if (escape != null) {
                    out.append(escape);
                } else {
                    out.append(c);
                }
            }
        }
        if (out == null && limit == s.length()) {
            return s;
        }
        if (out == null) {
            out = new StringBuilder(limit + 24).append(s, 0, limit);
        }
        if (limit < s.length()) {
            out.append("...(").append(s.length() - limit).append(" more chars)");
        }
        return out.toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            default -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                    ? String.format("\\u%04x", (int) c)
                    : null;
        };
    }
}
