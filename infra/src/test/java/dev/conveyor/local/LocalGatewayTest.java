package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Routes are picked as API Gateway picks them: the most specific resource (literal, then parameter, then greedy),
 * then its method, else its ANY; a resource without the method matches nothing, whatever other resources have.
 */
class LocalGatewayTest {
    private static LocalGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        gateway = LocalGateway.start(0, List.of(
                new LocalGateway.Route("POST", "/jobs", null),
                new LocalGateway.Route("POST", "/jobs/batch", null),
                new LocalGateway.Route("GET", "/jobs/{id}", null),
                new LocalGateway.Route("POST", "/jobs/{id}/retry", null),
                new LocalGateway.Route("ANY", "/jobs/{id}/retry", null),
                new LocalGateway.Route("ANY", "/{proxy+}", null),
                new LocalGateway.Route("GET", "/files/{path+}", null)), 1);
    }

    @AfterAll
    static void stop() {
        gateway.stop(0);
    }

    private static String route(String method, String path) {
        var match = gateway.match(method, path);
        return match == null ? null : match.route().method() + " " + match.route().resource()
                + (match.pathParameters().isEmpty() ? "" : " " + match.pathParameters());
    }

    @Test
    void literalSegmentsWinOverParametersAndParametersOverGreedyPaths() {
        assertEquals("POST /jobs/batch", route("POST", "/jobs/batch"));
        assertEquals("ANY /{proxy+} {proxy=jobs/42/x}", route("GET", "/jobs/42/x"));
        assertEquals("POST /jobs/{id}/retry {id=42}", route("POST", "/jobs/42/retry"));
        assertEquals("GET /jobs/{id} {id=42}", route("GET", "/jobs/42/"));
        assertEquals("GET /files/{path+} {path=a/b/c}", route("GET", "/files/a/b/c"));
    }

    @Test
    void aMethodTheResourceLacksFallsToItsAnyElseNothingMatches() {
        assertEquals("ANY /jobs/{id}/retry {id=42}", route("GET", "/jobs/42/retry"));
        assertNull(route("GET", "/jobs/batch"), "not GET /jobs/{id}: the resource /jobs/batch is chosen first");
        assertNull(route("DELETE", "/jobs/42"), "not ANY /{proxy+}: the resource /jobs/{id} is chosen first");
        assertNull(route("GET", "/jobs"));
        assertEquals("ANY /{proxy+} {proxy=other}", route("GET", "/other"));
        assertNull(route("GET", "/"));
    }

    @Test
    void withoutAGreedyRouteAnUnknownPathMatchesNothing() throws IOException {
        LocalGateway plain = LocalGateway.start(0, List.of(new LocalGateway.Route("GET", "/jobs/{id}", null)), 1);
        try {
            assertNull(plain.match("GET", "/jobs"));
            assertNull(plain.match("GET", "/jobs/1/2"));
            assertNull(plain.match("POST", "/jobs/1"));
            assertEquals(Map.of("id", "1"), plain.match("GET", "/jobs/1").pathParameters());
        } finally {
            plain.stop(0);
        }
    }
}
