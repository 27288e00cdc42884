package dev.conveyor.handler.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature (standardwebhooks.com): {@code v1,} and the base64 HMAC-SHA256, under the secret's
 * key, of {@code <webhook-id>.<webhook-timestamp>.<body>}. The secret is {@code whsec_} and the key in base64 (the
 * prefix may be left out).
 */
public final class WebhookSignature {
    public static final String SECRET_PREFIX = "whsec_";

    private WebhookSignature() {
    }

    /** The value of the {@code webhook-signature} header for one request. */
    public static String sign(byte[] key, String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * The key a secret holds.
     *
     * @throws IllegalArgumentException when it is not {@code whsec_} (optional) and base64 of at least 16 bytes
     */
    public static byte[] key(String secret) {
        String encoded = secret.strip();
        if (encoded.startsWith(SECRET_PREFIX)) {
            encoded = encoded.substring(SECRET_PREFIX.length());
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the signing secret is not whsec_ and base64");
        }
        if (key.length < 16) {
            throw new IllegalArgumentException("the signing secret is shorter than 16 bytes");
        }
        return key;
    }
}
