package dev.conveyor.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.conveyor.config.Env;
import dev.conveyor.functions.InvocationContext;
import dev.conveyor.local.template.Stack;
import dev.conveyor.log.Log;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One function of the template, run as Lambda runs it: an execution environment (an instance of the handler class,
 * built under the function's own environment variables) serves one invocation at a time and is kept for the next;
 * events go in and out as JSON through Lambda's own serializers; an invocation past the function's
 * {@code Timeout} fails with "Task timed out", and one that ends in an {@link Error} (the runtime crashed),
 * fails too; either way its environment is discarded and the next invocation starts a new one.
 */
public final class LocalFunction implements AutoCloseable {
    private static final Log LOG = Log.of(LocalFunction.class);

    private final Stack.FunctionSpec spec;
    private final Map<String, String> environment;
    private final Deque<Instance> idle = new ConcurrentLinkedDeque<>();
    private final ExecutorService threads;
    private final AtomicInteger coldStarts = new AtomicInteger();

    /** A failed invocation: the handler threw, timed out, or could not be built. */
    public static final class InvocationException extends Exception {
        InvocationException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @param environment the variables Lambda itself sets, and the local endpoints, under the template's own */
    public LocalFunction(Stack.FunctionSpec spec, Map<String, String> environment) {
        this.spec = spec;
        Map<String, String> merged = new HashMap<>(environment);
        merged.putAll(spec.environment());
        merged.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
        merged.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
        merged.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        this.environment = Map.copyOf(merged);
        AtomicInteger counter = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, spec.logicalId() + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public Stack.FunctionSpec spec() {
        return spec;
    }

    public Map<String, String> environment() {
        return environment;
    }

    public int coldStarts() {
        return coldStarts.get();
    }

    /** Builds one execution environment ahead of the first invocation, so that a broken handler fails the start. */
    public void warm() throws InvocationException {
        idle.push(create());
    }

    /** Invokes the function with an event; returns its response as JSON. */
    public String invoke(String event) throws InvocationException {
        Instance instance = idle.poll();
        if (instance == null) {
            instance = create();
        }
        String requestId = UUID.randomUUID().toString();
        InvocationContext context = InvocationContext.startingNow(requestId, spec.name(), spec.timeoutSeconds());
        Instance running = instance;
        Future<String> result = threads.submit(() -> Env.with(environment, () -> running.invoke(event, context)));
        try {
            String response = result.get(spec.timeoutSeconds(), TimeUnit.SECONDS);
            idle.push(instance);
            return response;
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new InvocationException(requestId + " Task timed out after " + spec.timeoutSeconds() + " seconds", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (!(cause instanceof Error)) {
                idle.push(instance); // an exception leaves the environment usable; an Error (a crash) does not
            }
            throw new InvocationException(spec.logicalId() + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvocationException(spec.logicalId() + " was interrupted", e);
        }
    }

    private Instance create() throws InvocationException {
        String handler = spec.handler();
        String className = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        try {
            Class<?> type = Class.forName(className, true, LocalFunction.class.getClassLoader());
            Object target = Env.with(environment, () -> {
                try {
                    return type.getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
                }
            });
            coldStarts.incrementAndGet();
            return new Instance(target);
        } catch (ClassNotFoundException e) {
            throw new InvocationException("handler class " + className + " of " + spec.logicalId()
                    + " is not on the classpath", e);
        } catch (RuntimeException e) {
            throw new InvocationException("cannot initialize " + spec.logicalId() + ": " + e.getMessage(), e);
        }
    }

    /** An execution environment: the handler object and the serializers for its event and response types. */
    private static final class Instance {
        private final Object target;
        private final PojoSerializer<Object> input;
        private final PojoSerializer<Object> output;

        Instance(Object target) {
            this.target = target;
            if (target instanceof RequestStreamHandler) {
                input = null;
                output = null;
            } else if (target instanceof RequestHandler) {
                Type[] types = handlerTypes(target.getClass());
                input = serializer(types[0]);
                output = serializer(types[1]);
            } else {
                throw new IllegalStateException(target.getClass().getName()
                        + " implements neither RequestHandler nor RequestStreamHandler");
            }
        }

        @SuppressWarnings("unchecked")
        String invoke(String event, Context context) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                if (target instanceof RequestStreamHandler stream) {
                    stream.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, context);
                } else {
                    Object response = ((RequestHandler<Object, Object>) target).handleRequest(input.fromJson(event),
                            context);
                    output.toJson(response, out);
                }
                return out.toString(StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @SuppressWarnings("unchecked")
        private static PojoSerializer<Object> serializer(Type type) {
            Class<Object> raw = (Class<Object>) (type instanceof ParameterizedType p ? p.getRawType() : type);
            ClassLoader loader = LocalFunction.class.getClassLoader();
            return LambdaEventSerializers.isLambdaSupportedEvent(raw.getName())
                    ? LambdaEventSerializers.serializerFor(raw, loader)
                    : JacksonFactory.getInstance().getSerializer(raw);
        }

        /** The event and response types of a {@code RequestHandler<I, O>}, as the Java runtime finds them. */
        private static Type[] handlerTypes(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Type implemented : c.getGenericInterfaces()) {
                    if (implemented instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                        return p.getActualTypeArguments();
                    }
                }
            }
            return new Type[] {Object.class, Object.class};
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        for (Instance instance : idle) {
            if (instance.target instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.debug("closing a function instance failed", "function", spec.logicalId());
                }
            }
        }
        idle.clear();
    }
}
