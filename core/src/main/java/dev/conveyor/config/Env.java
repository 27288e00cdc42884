package dev.conveyor.config;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The process environment, as a Lambda function sees it. The local runtime runs several functions in one JVM, so
 * it gives each one its own environment while it builds or invokes it: the variables a function's template entry
 * declares, and nothing else.
 */
public final class Env {
    private static final ThreadLocal<Map<String, String>> OVERRIDE = new ThreadLocal<>();

    private Env() {
    }

    /** The variable's value, or null when it is unset. */
    public static String get(String name) {
        Map<String, String> override = OVERRIDE.get();
        return override != null ? override.get(name) : System.getenv(name);
    }

    /** Every variable this thread sees, to carry them to another thread with {@link #with}. */
    public static Map<String, String> current() {
        Map<String, String> override = OVERRIDE.get();
        return override != null ? override : System.getenv();
    }

    /** Runs {@code body} on this thread with {@code environment} in place of the process environment. */
    public static <T> T with(Map<String, String> environment, Supplier<T> body) {
        Map<String, String> previous = OVERRIDE.get();
        OVERRIDE.set(Map.copyOf(environment));
        try {
            return body.get();
        } finally {
            if (previous == null) {
                OVERRIDE.remove();
            } else {
                OVERRIDE.set(previous);
            }
        }
    }
}
