package dev.conveyor.functions;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A function's handler invoked as Lambda invokes it: the event (one of AWS's event classes, built from a documented
 * example) written as JSON by Lambda's own serializer, the answer's bytes read back.
 */
public final class LambdaInvocations {
    private LambdaInvocations() {
    }

    /** The answer, as JSON. */
    public static <E> String invoke(RequestStreamHandler handler, E event, String function, int timeoutSeconds) {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        @SuppressWarnings("unchecked")
        Class<E> type = (Class<E>) event.getClass();
        LambdaEventSerializers.serializerFor(type, ClassLoader.getSystemClassLoader()).toJson(event, in);
        try {
            handler.handleRequest(new ByteArrayInputStream(in.toByteArray()), out,
                    InvocationContext.startingNow("test-request", function, timeoutSeconds));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The answer, read into the AWS class that documents it (a proxy response, a partial batch response). */
    public static <T> T invoke(RequestStreamHandler handler, Object event, Class<T> answer, String function,
                               int timeoutSeconds) {
        byte[] json = invoke(handler, event, function, timeoutSeconds).getBytes(StandardCharsets.UTF_8);
        return LambdaEventSerializers.serializerFor(answer, ClassLoader.getSystemClassLoader())
                .fromJson(new ByteArrayInputStream(json));
    }
}
