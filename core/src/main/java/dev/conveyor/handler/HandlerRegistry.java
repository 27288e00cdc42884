package dev.conveyor.handler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The job types this deployment knows, by name. */
public final class HandlerRegistry {
    private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
    /** The demonstration types, which a production deployment may leave out (template.yaml's DemoJobTypes). */
    private static final Set<Class<?>> DEMO_HANDLERS = Set.of(EchoHandler.class, SleepHandler.class, FailHandler.class);

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
        return load(true);
    }

    /** The handlers on the classpath, with or without the demonstration types {@code echo}, {@code sleep} and {@code fail}. */
    public static HandlerRegistry load(boolean withDemoTypes) {
        List<JobHandler> handlers = new ArrayList<>();
        for (JobHandler handler : ServiceLoader.load(JobHandler.class, HandlerRegistry.class.getClassLoader())) {
            if (withDemoTypes || !DEMO_HANDLERS.contains(handler.getClass())) {
                handlers.add(handler);
            }
        }
        return new HandlerRegistry(handlers);
    }

    public Optional<JobHandler> find(String type) {
        return Optional.ofNullable(handlers.get(type));
    }

    /** The known type names, sorted. */
    public Set<String> types() {
        return handlers.keySet();
    }
}
