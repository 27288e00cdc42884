package dev.conveyor.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.conveyor.job.FieldError;
import dev.conveyor.job.IdempotencyKey;
import dev.conveyor.job.NewJob;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code Idempotency-Key} header of a submission. Keys are scoped to the caller's API key (a digest of it, never
 * the key itself), and a request is the same request when the job it describes is the same once defaults are
 * applied and the payload's keys are put in order. The key lives as long as its job's row.
 */
final class Idempotency {
    static final int MAX_KEY_LENGTH = 255;
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private Idempotency() {
    }

    static IdempotencyKey key(ApiRequest request, String key, NewJob job) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ApiException.invalid(List.of(new FieldError("Idempotency-Key",
                    "must be 1 to " + MAX_KEY_LENGTH + " visible ASCII characters")));
        }
        String scope = request.apiKey() == null ? "anonymous" : "api-key:" + sha256(request.apiKey()).substring(0, 32);
        return new IdempotencyKey(scope, key, sha256(canonical(job)));
    }

    private static String canonical(NewJob job) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", job.type());
        fields.put("payload", CANONICAL.convertValue(job.payload(), Object.class));
        fields.put("max_retries", job.maxRetries());
        fields.put("retry_delay_seconds", job.retryDelaySeconds());
        fields.put("timeout_seconds", job.timeoutSeconds());
        fields.put("delay_seconds", job.delaySeconds());
        try {
            return CANONICAL.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
