package dev.conveyor.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The local API key, as the usage plan's key is on AWS: {@code CONVEYOR_API_KEY} when it is set; else the key kept
 * in the data directory's {@code api-key} file, so that it stays the same from one start to the next; else a new
 * random key of 40 characters, as API Gateway generates, written there.
 *
 * @param source where the key came from, for the console
 */
record ApiKey(String value, String source) {
    static final String FILE = "api-key";
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** API Gateway's bounds on an API key's value. */
    private static final int MIN_LENGTH = 20;
    private static final int MAX_LENGTH = 128;

    static ApiKey resolve(String environment, Path dataDirectory) {
        if (environment != null && !environment.isBlank()) {
            return new ApiKey(checked(environment.strip(), "CONVEYOR_API_KEY"), "from CONVEYOR_API_KEY");
        }
        Path file = dataDirectory.resolve(FILE);
        try {
            if (Files.exists(file)) {
                return new ApiKey(checked(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString()),
                        "kept in " + file);
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
            return new ApiKey(key.toString(), "generated, kept in " + file);
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
