package dev.conveyor.config;

import java.time.Duration;
import java.util.function.Function;

/** Typed reads of the environment, each failing with the variable's name when it is missing or malformed. */
public final class Config {
    private final Function<String, String> source;

    public Config(Function<String, String> source) {
        this.source = source;
    }

    /** The environment of this function (see {@link Env}). */
    public static Config fromEnvironment() {
        return new Config(Env::get);
    }

    public String get(String name) {
        String value = source.apply(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    public String get(String name, String fallback) {
        String value = get(name);
        return value == null ? fallback : value;
    }

    public String required(String name) {
        String value = get(name);
        if (value == null) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    public int integer(String name, int fallback) {
        return parse(name, fallback, Integer::parseInt);
    }

    public double number(String name, double fallback) {
        return parse(name, fallback, Double::parseDouble);
    }

    /** A duration given in (possibly fractional) seconds. */
    public Duration seconds(String name, Duration fallback) {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        double seconds = parse(name, 0.0, Double::parseDouble);
        return Duration.ofNanos((long) (seconds * 1e9));
    }

    private <T> T parse(String name, T fallback, Function<String, T> parser) {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        try {
            return parser.apply(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " is not a number: " + value);
        }
    }
}
