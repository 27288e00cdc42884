package dev.conveyor.job;

import java.util.Objects;

/**
 * A client's promise that submissions carrying the same key are the same request.
 *
 * @param scope whose key it is: the caller's API key id, so that two clients never share keys
 * @param key the {@code Idempotency-Key} header
 * @param requestHash a digest of the request, to tell a retry from a different request reusing the key
 */
public record IdempotencyKey(String scope, String key, String requestHash) {
    public IdempotencyKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestHash, "requestHash");
    }
}
