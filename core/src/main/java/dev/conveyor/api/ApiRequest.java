package dev.conveyor.api;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as the API sees it, whatever carried it (an API Gateway proxy event on AWS and locally).
 *
 * @param resource the route template that matched, such as {@code /jobs/{id}}
 * @param basePath what precedes the API's own paths in a URL the client can use ({@code /Prod} on an
 *     execute-api domain, empty locally)
 * @param headers by lower-case name
 * @param body the body as text, or null
 * @param apiKey the API key the gateway accepted, or null; used only to scope idempotency keys
 * @param apiKeyId the id of that key ({@code requestContext.identity.apiKeyId}), or null; what {@link Access} knows
 *     keys by
 */
public record ApiRequest(
        String method,
        String resource,
        String path,
        String basePath,
        Map<String, String> pathParameters,
        Map<String, List<String>> query,
        Map<String, String> headers,
        String body,
        String requestId,
        String apiKey,
        String apiKeyId) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String pathParameter(String name) {
        return pathParameters.get(name);
    }

    /** The values of a query parameter, in order; empty when absent. */
    public List<String> queryValues(String name) {
        return query.getOrDefault(name, List.of());
    }
}
