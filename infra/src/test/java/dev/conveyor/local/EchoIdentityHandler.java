package dev.conveyor.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A function that answers 200 with the request context's {@code identity}: what the gateway says of the caller. */
public final class EchoIdentityHandler implements RequestStreamHandler {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws IOException {
        JsonNode identity = JSON.readTree(in).path("requestContext").path("identity");
        JSON.writeValue(out, JSON.createObjectNode().put("statusCode", 200).put("body", identity.toString()));
    }
}
