package dev.conveyor.bench.harness;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first invocation of a function in a fresh JVM, as Lambda's Java runtime makes it: construct the handler
 * (its init), then call {@code handleRequest} with a context: a {@code RequestStreamHandler} with the event's bytes,
 * a {@code RequestHandler} with the event JSON read into its event type and its response written as JSON. Then
 * one line on stdout, {@code conveyor-cold-start init_ms=... invoke_ms=... response=...},
 * and exit.
 *
 * <p>It uses only the JDK: the classpath is the function's deployment artifact (classes at the root, {@code lib/*})
 * and this class, nothing else, so every class the invocation needs comes from the artifact. The event is read with
 * the artifact's Jackson, as Lambda's serializer reads it (property names case-insensitive, unknown ones ignored).
 *
 * <p>Arguments: the handler class, the event class, the event file, the function's timeout in seconds.
 */
public final class ColdStartHarness {
    public static final String MARKER = "conveyor-cold-start";

    private ColdStartHarness() {
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        try {
            ClassLoader loader = ColdStartHarness.class.getClassLoader();
            Object handler = Class.forName(args[0], true, loader).getDeclaredConstructor().newInstance();
            long initialized = System.nanoTime();

            Class<?> contextType = Class.forName("com.amazonaws.services.lambda.runtime.Context", true, loader);
            Class<?> streamType = Class.forName("com.amazonaws.services.lambda.runtime.RequestStreamHandler", true,
                    loader);
            Object context = context(contextType, loader, Long.parseLong(args[3]));
            byte[] eventBytes = Files.readAllBytes(Path.of(args[2]));
            String json;
            if (streamType.isInstance(handler)) {
                // As Lambda's runtime calls a stream handler: the event's bytes in, the answer's bytes out.
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                streamType.getMethod("handleRequest", InputStream.class, OutputStream.class, contextType)
                        .invoke(handler, new ByteArrayInputStream(eventBytes), out, context);
                json = out.toString(StandardCharsets.UTF_8);
            } else {
                Object mapper = lambdaLikeMapper(loader);
                Class<?> mapperType = mapper.getClass();
                Object event = mapperType.getMethod("readValue", String.class, Class.class).invoke(mapper,
                        new String(eventBytes, StandardCharsets.UTF_8), Class.forName(args[1], true, loader));
                Method handle = handler.getClass().getMethod("handleRequest", Object.class, contextType);
                Object response = handle.invoke(handler, event, context);
                json = (String) mapperType.getMethod("writeValueAsString", Object.class).invoke(mapper, response);
            }
            long invoked = System.nanoTime();

            System.out.println(MARKER + " init_ms=" + (initialized - start) / 1e6 + " invoke_ms="
                    + (invoked - initialized) / 1e6 + " response=" + json.replace('\n', ' '));
            System.out.flush();
            System.exit(0);
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            System.exit(1);
        }
    }

    /** An ObjectMapper of the artifact's Jackson that reads AWS's event JSON into the events library's beans. */
    private static Object lambdaLikeMapper(ClassLoader loader) throws ReflectiveOperationException {
        Class<?> mapperType = Class.forName("com.fasterxml.jackson.databind.ObjectMapper", true, loader);
        Object mapper = mapperType.getConstructor().newInstance();
        configure(mapper, "com.fasterxml.jackson.databind.DeserializationFeature", "FAIL_ON_UNKNOWN_PROPERTIES",
                loader);
        configure(mapper, "com.fasterxml.jackson.databind.MapperFeature", "ACCEPT_CASE_INSENSITIVE_PROPERTIES", loader);
        return mapper;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void configure(Object mapper, String featureType, String feature, ClassLoader loader)
            throws ReflectiveOperationException {
        Class<? extends Enum> type = (Class<? extends Enum>) Class.forName(featureType, true, loader);
        boolean on = feature.startsWith("ACCEPT");
        mapper.getClass().getMethod("configure", type, boolean.class).invoke(mapper, Enum.valueOf(type, feature), on);
    }

    /** A Lambda context: the function's name and memory from the environment Lambda sets, a real deadline. */
    private static Object context(Class<?> contextType, ClassLoader loader, long timeoutSeconds) {
        long deadline = System.currentTimeMillis() + timeoutSeconds * 1000;
        String function = System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "function");
        return Proxy.newProxyInstance(loader, new Class<?>[] {contextType}, (proxy, method, arguments) -> {
            switch (method.getName()) {
                case "getAwsRequestId":
                    return "cold-start-" + ProcessHandle.current().pid();
                case "getFunctionName":
                    return function;
                case "getFunctionVersion":
                    return "$LATEST";
                case "getInvokedFunctionArn":
                    return "arn:aws:lambda:us-east-1:000000000000:function:" + function;
                case "getLogGroupName":
                    return "/aws/lambda/" + function;
                case "getLogStreamName":
                    return "cold-start";
                case "getMemoryLimitInMB":
                    return Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"));
                case "getRemainingTimeInMillis":
                    return (int) Math.max(0, deadline - System.currentTimeMillis());
                case "toString":
                    return "cold-start context";
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == arguments[0];
                default:
                    return null; // identity, client context, logger: not given, as for most invocations
            }
        });
    }
}
