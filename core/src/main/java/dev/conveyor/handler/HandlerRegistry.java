package dev.conveyor.handler;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The job types this deployment knows, by name. */
public final class HandlerRegistry {
    private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

    private final Map<String, JobHandler> handlers;

    public HandlerRegistry(Iterable<? extends JobHandler> handlers) {
        Map<String, JobHandler> byType = new TreeMap<>();
        for (JobHandler handler : handlers) {
            String type = handler.type();
            if (!TYPE_NAME.matcher(type).matches()) {
                throw new IllegalArgumentException("job type names are [a-z][a-z0-9_.-]{0,63}: " + type);
            }
            JobHandler earlier = byType.put(type, handler);
            if (earlier != null) {
                throw new IllegalArgumentException("two handlers for job type '" + type + "': "
                        + earlier.getClass().getName() + " and " + handler.getClass().getName());
            }
        }
        this.handlers = Collections.unmodifiableMap(byType);
    }

    /** Every handler listed in {@code META-INF/services/dev.conveyor.handler.JobHandler} on the classpath. */
    public static HandlerRegistry load() {
        return new HandlerRegistry(ServiceLoader.load(JobHandler.class, HandlerRegistry.class.getClassLoader()));
    }

    public Optional<JobHandler> find(String type) {
        return Optional.ofNullable(handlers.get(type));
    }

    /** The known type names, sorted. */
    public Set<String> types() {
        return handlers.keySet();
    }
}
