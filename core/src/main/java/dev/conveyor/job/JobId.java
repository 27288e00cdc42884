package dev.conveyor.job;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A job's identity: a UUID, version 7 when Conveyor makes it, so that ids sort roughly by creation time and new
 * rows land at the right edge of the primary-key index.
 */
public record JobId(UUID value) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public JobId {
        Objects.requireNonNull(value, "value");
    }

    /** A new version-7 id for a job created at {@code now}. */
    public static JobId newId(Instant now) {
        long millis = now.toEpochMilli();
        long randA = RANDOM.nextInt(1 << 12);
        long msb = (millis << 16) | 0x7000L | randA;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new JobId(new UUID(msb, lsb));
    }

    /**
     * The id written as a client sends it: the canonical 36-character form, any case.
     *
     * @throws IllegalArgumentException when the text is not a UUID
     */
    public static JobId parse(String text) {
        if (text == null || text.length() != 36) {
            throw new IllegalArgumentException("not a UUID: " + text);
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0) {
                throw new IllegalArgumentException("not a UUID: " + text);
            }
        }
        return new JobId(UUID.fromString(text));
    }

    @Override
    public String toString() {
        return value.toString();
    }
}
