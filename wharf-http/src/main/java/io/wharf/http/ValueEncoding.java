package io.wharf.http;

/** How keys, values and header values travel inside JSON. */
enum ValueEncoding {
    /** As JSON strings when they are valid UTF-8, else base64 with an {@code ...Encoding: "base64"} marker. */
    TEXT,
    /** Always base64. */
    BASE64;

    static ValueEncoding parse(String text) {
        if (text == null || text.isEmpty() || text.equalsIgnoreCase("text") || text.equalsIgnoreCase("utf8")) {
            return TEXT;
        }
        if (text.equalsIgnoreCase("base64")) {
            return BASE64;
        }
        throw ApiError.badRequest("bad_encoding", "encoding must be text or base64, not '" + text + "'");
    }
}
