package dev.conveyor.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.local.template.Stack;
import dev.conveyor.log.Log;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code Schedule} event: invokes the function with EventBridge's scheduled event at the rate of a
 * {@code rate(...)} expression. Locally, seconds are accepted too ({@code rate(5 seconds)}), for tests that cannot
 * wait a minute; EventBridge's own minimum is one minute. {@code cron(...)} expressions are not run locally.
 */
public final class LocalSchedule implements AutoCloseable {
    private static final Log LOG = Log.of(LocalSchedule.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RATE = Pattern.compile("rate\\(\\s*(\\d+)\\s+(second|minute|hour|day)s?\\s*\\)");

    private final ScheduledExecutorService timer;

    private LocalSchedule(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts the schedule, or returns null (with a warning) for an expression the local runtime cannot run. */
    public static LocalSchedule start(Stack.ScheduleSource source, LocalFunction function) {
        Duration period = period(source.expression());
        if (period == null) {
            LOG.warn("schedule not run locally: only rate(...) expressions are", "function",
                    function.spec().logicalId(), "schedule", source.expression());
            return null;
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, function.spec().logicalId() + "-" + source.eventName());
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> invoke(source, function), period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return new LocalSchedule(timer);
    }

    static Duration period(String expression) {
        Matcher m = RATE.matcher(expression.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "second" -> Duration.ofSeconds(n);
            case "minute" -> Duration.ofMinutes(n);
            case "hour" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private static void invoke(Stack.ScheduleSource source, LocalFunction function) {
        try {
            runNow(source, function);
        } catch (Exception e) {
            LOG.warn("scheduled invocation failed", e, "function", function.spec().logicalId());
        }
    }

    /** Invokes the function with the schedule's event now, out of turn, and answers what it returned. */
    static String runNow(Stack.ScheduleSource source, LocalFunction function)
            throws JsonProcessingException, LocalFunction.InvocationException {
        String event = source.input() != null ? source.input() : JSON.writeValueAsString(event(source, function));
        return function.invoke(event);
    }

    /** The event EventBridge Scheduler sends a scheduled rule's target. */
    private static ObjectNode event(Stack.ScheduleSource source, LocalFunction function) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "Scheduled Event");
        event.put("source", "aws.events");
        event.put("account", Stack.ACCOUNT);
        event.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", Stack.REGION);
        event.putArray("resources").add("arn:aws:events:" + Stack.REGION + ":" + Stack.ACCOUNT + ":rule/"
                + function.spec().name() + source.eventName());
        event.putObject("detail");
        return event;
    }

    /** Stops scheduling; an invocation under way finishes. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
