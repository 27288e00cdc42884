package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.local.template.Stack;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway takes each of the usage plan's keys on the keyed routes, and tells the function which one it was
 * ({@code requestContext.identity.apiKeyId}); a wrong key is refused; an open route takes none.
 */
class LocalGatewayKeysTest {
    private static final String READ_WRITE = "readWriteKeyOf40CharactersAAAAAAAAAAAAA";
    private static final String READ_ONLY = "readOnlyKeyOf40CharactersBBBBBBBBBBBBBBB";
    private static LocalFunction function;
    private static LocalGateway gateway;
    private static Http http;

    @BeforeAll
    static void start() throws IOException {
        function = new LocalFunction(new Stack.FunctionSpec("Echo", "echo", EchoIdentityHandler.class.getName(), 10,
                128, Map.of(), List.of(), List.of(), List.of(), Map.of()), Map.of());
        gateway = LocalGateway.start(0, List.of(
                new LocalGateway.Route("GET", "/keyed", function, true),
                new LocalGateway.Route("GET", "/open", function, false)), 2,
                new LocalGateway.Settings(Map.of(READ_WRITE, "id-rw", READ_ONLY, "id-ro"), null, Map.of()));
        http = new Http("http://127.0.0.1:" + gateway.port());
    }

    @AfterAll
    static void stop() {
        gateway.stop(0);
        function.close();
    }

    private static Http.Response get(String path, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(java.net.URI.create(http.base() + path)).GET();
        if (key != null) {
            request.header("x-api-key", key);
        }
        return http.send(request.build());
    }

    @Test
    void eachKeyIsTakenWithItsOwnId() {
        Http.Response readWrite = get("/keyed", READ_WRITE);
        Http.Response readOnly = get("/keyed", READ_ONLY);

        assertEquals(200, readWrite.status(), readWrite.toString());
        assertEquals("id-rw", readWrite.json().path("apiKeyId").asText());
        assertEquals(READ_WRITE, readWrite.json().path("apiKey").asText());
        assertEquals(200, readOnly.status(), readOnly.toString());
        assertEquals("id-ro", readOnly.json().path("apiKeyId").asText());
        assertEquals(READ_ONLY, readOnly.json().path("apiKey").asText());
    }

    @Test
    void aWrongOrMissingKeyIsRefusedOnAKeyedRouteAndNoneIsNeededOnAnOpenOne() {
        assertEquals(403, get("/keyed", READ_ONLY + "x").status());
        assertEquals(403, get("/keyed", "id-ro").status(), "a key's id is not the key");
        assertEquals(403, get("/keyed", null).status());
        Http.Response open = get("/open", null);
        assertEquals(200, open.status(), open.toString());
        assertTrue(open.json().path("apiKeyId").isNull(), open.toString());
    }
}
