package dev.conveyor.handler.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.handler.Payloads;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An {@code http} job's payload: {@code {"url", "method"?, "headers"?, "body"?}}, checked at submission.
 *
 * @param body the bytes to send (a string as UTF-8, any other JSON as its text), or null for none
 * @param contentType the body's type when the headers give none: text for a string, JSON otherwise
 */
record HttpPayload(URI url, String method, Map<String, String> headers, byte[] body, String contentType) {
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    static final int MAX_URL_LENGTH = 2048;
    static final int MAX_HEADERS = 50;
    static final int MAX_HEADER_VALUE_LENGTH = 4096;
    /**
     * Headers a payload may not set: hop-by-hop ones (RFC 9110 7.6.1), those the HTTP client computes itself, and
     * the signature's, which only Conveyor writes.
     */
    static final Set<String> RESERVED_HEADERS = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "http2-settings", "webhook-id", "webhook-timestamp", "webhook-signature");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
    private static final Set<String> FIELDS = Set.of("url", "method", "headers", "body");

    static List<FieldError> validate(JsonNode payload) {
        List<FieldError> errors = new ArrayList<>(Payloads.unknownFields(payload, FIELDS));
        JsonNode url = payload.get("url");
        if (url == null) {
            errors.add(new FieldError("payload.url", "is required"));
        } else if (!url.isTextual()) {
            errors.add(new FieldError("payload.url", "must be a string"));
        } else {
            String problem = urlProblem(url.textValue());
            if (problem != null) {
                errors.add(new FieldError("payload.url", problem));
            }
        }
        JsonNode method = payload.get("method");
        if (method != null && (!method.isTextual() || !METHODS.contains(method.textValue()))) {
            errors.add(new FieldError("payload.method", "must be one of " + String.join(", ",
                    new java.util.TreeSet<>(METHODS))));
        }
        JsonNode headers = payload.get("headers");
        if (headers != null) {
            if (!headers.isObject()) {
                errors.add(new FieldError("payload.headers", "must be an object of header names to string values"));
            } else if (headers.size() > MAX_HEADERS) {
                errors.add(new FieldError("payload.headers", "must have at most " + MAX_HEADERS + " headers"));
            } else {
                headers.fields().forEachRemaining(h -> headerProblem(h.getKey(), h.getValue(), errors));
            }
        }
        JsonNode body = payload.get("body");
        if (body != null && !body.isNull() && method != null && method.isTextual()
                && (method.textValue().equals("GET") || method.textValue().equals("HEAD"))) {
            errors.add(new FieldError("payload.body", "must be left out with " + method.textValue()));
        }
        return errors;
    }

    /** The payload of a job that passed {@link #validate}. */
    static HttpPayload of(JsonNode payload) {
        URI url = URI.create(payload.get("url").textValue());
        String method = payload.path("method").asText("POST");
        Map<String, String> headers = new LinkedHashMap<>();
        payload.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().textValue()));
        JsonNode body = payload.get("body");
        if (body == null || body.isNull()) {
            return new HttpPayload(url, method, headers, null, null);
        }
        return body.isTextual()
                ? new HttpPayload(url, method, headers, body.textValue().getBytes(StandardCharsets.UTF_8),
                        "text/plain; charset=utf-8")
                : new HttpPayload(url, method, headers, Json.write(body).getBytes(StandardCharsets.UTF_8),
                        "application/json");
    }

    private static String urlProblem(String text) {
        if (text.length() > MAX_URL_LENGTH) {
            return "must be at most " + MAX_URL_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return "is not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http:// or https:// URL";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry credentials (user:password@): send them in payload.headers";
        }
        if (uri.getRawFragment() != null) {
            return "must not have a fragment (#...): it is never sent";
        }
        return null;
    }

    private static void headerProblem(String name, JsonNode value, List<FieldError> errors) {
        String field = "payload.headers." + name;
        if (!TOKEN.matcher(name).matches()) {
            errors.add(new FieldError(field, "is not a valid header name"));
        } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            errors.add(new FieldError(field, "is set by Conveyor or the connection, not by a job"));
        } else if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
        } else if (value.textValue().length() > MAX_HEADER_VALUE_LENGTH) {
            errors.add(new FieldError(field, "must be at most " + MAX_HEADER_VALUE_LENGTH + " characters"));
        } else if (!value.textValue().chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f && c < 0x100))) {
            errors.add(new FieldError(field, "must be visible characters, spaces and tabs (no line breaks)"));
        }
    }

    /** True when {@code name} is among {@code headers}, whatever its case. */
    static boolean has(Map<String, String> headers, String name) {
        for (Iterator<String> it = headers.keySet().iterator(); it.hasNext(); ) {
            if (it.next().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
