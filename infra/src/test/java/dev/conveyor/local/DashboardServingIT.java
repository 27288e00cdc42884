package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The dashboard function behind the local gateway, over HTTP as a browser gets it, without an API key: the page,
 * the versioned assets it names, the WebJars, Swagger UI and openapi.yaml. And the gateway's two keys.
 */
class DashboardServingIT extends LocalRuntimeTest {
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Test
    void theDashboardAndTheAssetsItNamesAreServedWithoutAKey() {
        Http browser = http.withoutKey();
        Http.Response page = browser.get("/dashboard");
        assertEquals(200, page.status(), page.toString());
        assertEquals("text/html; charset=utf-8", page.header("Content-Type").orElse(null));
        assertEquals("no-cache", page.header("Cache-Control").orElse(null));
        assertSecured(page);

        // Locally there is no stage: the assets are under /dashboard/assets/<version>.
        String script = first("src=\"(/dashboard/assets/[0-9a-f]{16}/app\\.js)\"", page.text());
        String style = first("href=\"(/dashboard/assets/[0-9a-f]{16}/app\\.css)\"", page.text());
        Http.Response js = browser.get(script);
        assertEquals(200, js.status(), js.toString());
        assertEquals("text/javascript; charset=utf-8", js.header("Content-Type").orElse(null));
        assertEquals("public, max-age=31536000, immutable", js.header("Cache-Control").orElse(null));
        assertSecured(js);
        assertEquals("text/css; charset=utf-8", browser.get(style).header("Content-Type").orElse(null));

        String assets = script.substring(0, script.lastIndexOf('/'));
        Http.Response uplot = browser.get(assets + "/vendor/uplot/uPlot.iife.min.js");
        assertEquals(200, uplot.status(), uplot.toString());
        assertTrue(uplot.text().contains("uPlot"), "not uPlot");

        String etag = js.header("ETag").orElseThrow();
        Http.Response again = browser.send(HttpRequest.newBuilder(URI.create(browser.base() + script))
                .header("If-None-Match", etag).GET().build());
        assertEquals(304, again.status(), again.toString());
        assertEquals("", again.text());
    }

    @Test
    void theDocsRunSwaggerUiOnOpenApiYamlWithoutAKey() throws IOException {
        Http browser = http.withoutKey();
        Http.Response docs = browser.get("/docs");
        assertEquals(200, docs.status(), docs.toString());
        assertEquals("text/html; charset=utf-8", docs.header("Content-Type").orElse(null));
        assertSecured(docs);
        assertTrue(docs.text().contains("data-url=\"/openapi.yaml\""), docs.text());

        Http.Response bundle = browser.get(first("src=\"(/dashboard/assets/[^\"]+/swagger-ui-bundle\\.js)\"", docs.text()));
        assertEquals(200, bundle.status(), bundle.toString());
        assertTrue(bundle.text().contains("SwaggerUIBundle"), "not Swagger UI's bundle");
        Http.Response initializer = browser.get(first("src=\"(/dashboard/assets/[^\"]+/swagger-initializer\\.js)\"",
                docs.text()));
        assertEquals(200, initializer.status(), initializer.toString());
        assertEquals("text/javascript; charset=utf-8", initializer.header("Content-Type").orElse(null));
        assertEquals(200, browser.get(first("href=\"(/dashboard/assets/[^\"]+/swagger-ui\\.css)\"", docs.text()))
                .status());

        Http.Response yaml = browser.get("/openapi.yaml");
        assertEquals(200, yaml.status(), yaml.toString());
        assertEquals("application/yaml", yaml.header("Content-Type").orElse(null));
        assertEquals(Files.readString(Path.of("..", "openapi.yaml")), yaml.text());
    }

    @Test
    void whatIsNoFileIsA404ProblemWithTheSameHeaders() {
        Http.Response missing = http.withoutKey().get("/dashboard/assets/0000000000000000/app.js");
        assertEquals(404, missing.status(), missing.toString());
        assertEquals("application/problem+json", missing.header("Content-Type").orElse(null));
        assertSecured(missing);
        // %2F is decoded before routing (as the local gateway does): the dots reach the function, which refuses them.
        assertEquals(404, http.withoutKey().get("/dashboard/assets/x/..%2F..%2Fopenapi%2Fopenapi.yaml").status());
    }

    @Test
    void theReadOnlyKeyIsTakenWithItsOwnIdWhichTheFunctionsKnow() {
        String readOnly = runtime.readOnlyApiKey();
        assertNotNull(readOnly);
        assertNotEquals(runtime.apiKey(), readOnly);
        Http.Response list = new Http(runtime.url(), readOnly).get("/jobs?limit=1");
        assertEquals(200, list.status(), list.toString());
        Http.Response wrong = new Http(runtime.url(), readOnly.substring(1) + "x").get("/jobs?limit=1");
        assertEquals(403, wrong.status(), wrong.toString());

        // The id the gateway gives the read-only key is the one the template's Ref gives the functions.
        assertEquals(2, runtime.apiKeyIds().size());
        assertNotEquals(runtime.apiKeyIds().get(0), runtime.apiKeyIds().get(1));
        for (LocalFunction function : runtime.functions()) {
            assertEquals(runtime.apiKeyIds().get(1), function.environment().get("CONVEYOR_READ_ONLY_API_KEY_IDS"),
                    function.spec().logicalId());
        }
        String console = runtime.describe();
        assertTrue(console.contains(readOnly), console);
        assertTrue(console.contains(runtime.url() + "/dashboard"), console);
        assertTrue(console.contains(runtime.url() + "/docs"), console);
    }

    private static void assertSecured(Http.Response response) {
        assertEquals(CSP, response.header("Content-Security-Policy").orElse(null), response.toString());
        assertEquals("nosniff", response.header("X-Content-Type-Options").orElse(null));
        assertEquals("no-referrer", response.header("Referrer-Policy").orElse(null));
    }

    private static String first(String regex, String text) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertTrue(matcher.find(), regex + " not in " + text);
        return matcher.group(1);
    }
}
