package dev.conveyor.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Env;
import dev.conveyor.json.Json;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

/**
 * Structured logs: one JSON object per line on standard output, which Lambda ships to CloudWatch Logs as is.
 * Fields after the message come in name/value pairs. {@code CONVEYOR_LOG_LEVEL} (DEBUG, INFO, WARN, ERROR) sets
 * the threshold; INFO by default.
 */
public final class Log {
    public enum Level { DEBUG, INFO, WARN, ERROR }

    /** Fields every line written on this thread carries, such as the job and trace of the work it does. */
    private static final ThreadLocal<Object[]> CONTEXT = new ThreadLocal<>();
    private static volatile PrintStream out = System.out;
    private static volatile Level threshold = level(Env.get("CONVEYOR_LOG_LEVEL"));

    private final String logger;

    private Log(String logger) {
        this.logger = logger;
    }

    public static Log of(Class<?> type) {
        return new Log(type.getSimpleName());
    }

    /** Sends every log line to {@code stream} with the given threshold: for the local runtime and tests. */
    public static void configure(PrintStream stream, Level level) {
        out = stream;
        threshold = level;
    }

    /**
     * Adds {@code fields} (name/value pairs) to every line written on this thread until the scope is closed: a
     * job's {@code job_id} and {@code trace_id} on the lines its handler writes.
     */
    public static Scope scope(Object... fields) {
        Object[] outer = CONTEXT.get();
        CONTEXT.set(fields);
        return () -> CONTEXT.set(outer);
    }

    /** The end of a {@link #scope}. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    public boolean debugEnabled() {
        return threshold == Level.DEBUG;
    }

    public void debug(String message, Object... fields) {
        write(Level.DEBUG, message, null, fields);
    }

    public void info(String message, Object... fields) {
        write(Level.INFO, message, null, fields);
    }

    public void warn(String message, Object... fields) {
        write(Level.WARN, message, null, fields);
    }

    public void warn(String message, Throwable error, Object... fields) {
        write(Level.WARN, message, error, fields);
    }

    public void error(String message, Throwable error, Object... fields) {
        write(Level.ERROR, message, error, fields);
    }

    private void write(Level level, String message, Throwable error, Object[] fields) {
        if (level.ordinal() < threshold.ordinal()) {
            return;
        }
        ObjectNode line = Json.object()
                .put("time", Instant.now().toString())
                .put("level", level.name())
                .put("logger", logger)
                .put("message", message);
        Object[] context = CONTEXT.get();
        if (context != null) {
            put(line, context);
        }
        put(line, fields);
        if (error != null) {
            line.put("error", error.getClass().getName() + ": " + error.getMessage());
        }
        String text = Json.write(line);
        PrintStream stream = out;
        synchronized (stream) {
            stream.println(text);
        }
    }

    private static void put(ObjectNode line, Object[] fields) {
        for (int i = 0; i + 1 < fields.length; i += 2) {
            Object value = fields[i + 1];
            line.put(String.valueOf(fields[i]), value == null ? null : value.toString());
        }
    }

    private static Level level(String name) {
        if (name == null) {
            return Level.INFO;
        }
        try {
            return Level.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.INFO;
        }
    }
}
