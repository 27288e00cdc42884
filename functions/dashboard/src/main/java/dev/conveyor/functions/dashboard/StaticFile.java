package dev.conveyor.functions.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * A file as served: its text, its content type, and its entity tag (a hash of the text).
 *
 * @param etag quoted, as the {@code ETag} header carries it
 */
record StaticFile(String body, String contentType, String etag) {
    /** The content types of the files served, by extension; a file of any other type is not served. */
    static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "mjs", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "json", "application/json",
            "yaml", "application/yaml",
            "txt", "text/plain; charset=utf-8");

    static StaticFile of(String name, String body) {
        String type = type(name);
        if (type == null) {
            throw new IllegalArgumentException(name + " has no content type the dashboard serves " + TYPES.keySet());
        }
        return new StaticFile(body, type, "\"" + hash(body).substring(0, 20) + "\"");
    }

    /** The content type for a file name, or null for a type not served. */
    static String type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** SHA-256 of the text's UTF-8 bytes, in hex. */
    static String hash(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
