package dev.conveyor.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * A local API key, as the usage plan's keys are on AWS: the read-write key ({@link #READ_WRITE}), the usage plan's
 * own, and the read-only one ({@link #READ_ONLY}). Each is its environment variable when it is set; else the key
 * kept in its file of the data directory, so that it stays the same from one start to the next; else a new random
 * key of 40 characters, as API Gateway generates, written there.
 *
 * @param id the key's id, as {@code requestContext.identity.apiKeyId} carries it and a {@code Ref} to it gives it
 * @param source where the key came from, for the console
 */
record ApiKey(String value, String id, String source) {
    /** Where a key comes from: its environment variable and its file in the data directory. */
    record Kind(String variable, String file) {
    }

    static final Kind READ_WRITE = new Kind("CONVEYOR_API_KEY", "api-key");
    static final Kind READ_ONLY = new Kind("CONVEYOR_READ_ONLY_API_KEY", "read-only-api-key");
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** API Gateway's bounds on an API key's value. */
    private static final int MIN_LENGTH = 20;
    private static final int MAX_LENGTH = 128;

    /**
     * @param environment the kind's variable's value, or null
     * @param id what {@link #id} is to be
     */
    static ApiKey resolve(Kind kind, String environment, Path dataDirectory, String id) {
        if (environment != null && !environment.isBlank()) {
            return new ApiKey(checked(environment.strip(), kind.variable()), id, "from " + kind.variable());
        }
        Path file = dataDirectory.resolve(kind.file());
        try {
            if (Files.exists(file)) {
                return new ApiKey(checked(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString()),
                        id, "kept in " + file);
            }
            SecureRandom random = new SecureRandom();
            StringBuilder key = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            Files.createDirectories(dataDirectory);
            Files.writeString(file, key + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the file keeps the directory's permissions
            }
            return new ApiKey(key.toString(), id, "generated, kept in " + file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the API key file " + file, e);
        }
    }

    private static String checked(String key, String where) {
        if (key.length() < MIN_LENGTH || key.length() > MAX_LENGTH || !key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException("the API key from " + where + " must be " + MIN_LENGTH + " to "
                    + MAX_LENGTH + " printable ASCII characters without spaces, as API Gateway requires");
        }
        return key;
    }
}
