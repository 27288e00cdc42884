package dev.conveyor.functions.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.conveyor.functions.LambdaInvocations;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dashboard function invoked as Lambda invokes it, with the events API Gateway sends on the Prod stage. */
class DashboardHandlerTest {
    private static final DashboardSite SITE = new DashboardSite(DashboardHandlerTest.class.getClassLoader());
    private static final String VERSION = SITE.version();
    private static final String ASSETS = "assets/" + VERSION + "/";
    private final DashboardHandler handler = new DashboardHandler(SITE);

    @Test
    void theIndexPointsAtTheVersionedAssetsUnderTheBasePathAndIsRevalidated() throws IOException {
        APIGatewayProxyResponseEvent answer = get("/dashboard", "/dashboard", null, null);

        assertEquals(200, answer.getStatusCode());
        assertEquals("text/html; charset=utf-8", answer.getHeaders().get("Content-Type"));
        assertEquals("no-cache", answer.getHeaders().get("Cache-Control"));
        String expected = classpath("dashboard/index.html")
                .replace("{{assets}}", "/Prod/dashboard/assets/" + VERSION);
        assertEquals(expected, answer.getBody());
        assertTrue(answer.getBody().contains("/Prod/dashboard/assets/" + VERSION + "/app.js"), answer.getBody());
        assertFalse(answer.getBody().contains("{{"), answer.getBody());
        assertSecured(answer);
    }

    @Test
    void theIndexAnswersATrailingSlashToo() throws IOException {
        APIGatewayProxyResponseEvent answer = get("/dashboard/{proxy+}", "/dashboard/", "", null);

        assertEquals(200, answer.getStatusCode());
        assertEquals(classpath("dashboard/index.html").replace("{{assets}}", "/Prod/dashboard/assets/" + VERSION),
                answer.getBody());
    }

    @Test
    void anAssetIsServedUnderItsVersionAndCachedForAYear() throws IOException {
        APIGatewayProxyResponseEvent script = asset("app.js");
        APIGatewayProxyResponseEvent style = asset("app.css");

        assertEquals(200, script.getStatusCode());
        assertEquals("text/javascript; charset=utf-8", script.getHeaders().get("Content-Type"));
        assertEquals("public, max-age=31536000, immutable", script.getHeaders().get("Cache-Control"));
        assertEquals(classpath("dashboard/app.js"), script.getBody());
        assertSecured(script);
        assertEquals("text/css; charset=utf-8", style.getHeaders().get("Content-Type"));
        assertEquals(classpath("dashboard/app.css"), style.getBody());
    }

    @Test
    void theWebJarsAreServedUnderTheAssets() throws IOException {
        APIGatewayProxyResponseEvent uplot = asset("vendor/uplot/uPlot.iife.min.js");
        APIGatewayProxyResponseEvent uplotCss = asset("vendor/uplot/uPlot.min.css");
        APIGatewayProxyResponseEvent swagger = asset("vendor/swagger-ui/swagger-ui-bundle.js");

        assertEquals(200, uplot.getStatusCode());
        assertEquals("text/javascript; charset=utf-8", uplot.getHeaders().get("Content-Type"));
        assertEquals("public, max-age=31536000, immutable", uplot.getHeaders().get("Cache-Control"));
        assertEquals(classpath("META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js"), uplot.getBody());
        assertEquals("text/css; charset=utf-8", uplotCss.getHeaders().get("Content-Type"));
        assertEquals(200, swagger.getStatusCode());
        assertEquals(classpath("META-INF/resources/webjars/swagger-ui/5.34.1/swagger-ui-bundle.js"),
                swagger.getBody());
        assertSecured(swagger);
    }

    @Test
    void theDocsPageRunsSwaggerUiFromFilesOnTheApisDescription() throws IOException {
        APIGatewayProxyResponseEvent page = get("/docs", "/docs", null, null);
        APIGatewayProxyResponseEvent initializer = asset("docs/swagger-initializer.js");

        assertEquals(200, page.getStatusCode());
        assertEquals("text/html; charset=utf-8", page.getHeaders().get("Content-Type"));
        assertEquals("no-cache", page.getHeaders().get("Cache-Control"));
        assertSecured(page);
        assertTrue(page.getBody().contains("data-url=\"/Prod/openapi.yaml\""), page.getBody());
        assertTrue(page.getBody().contains(
                "src=\"/Prod/dashboard/assets/" + VERSION + "/vendor/swagger-ui/swagger-ui-bundle.js\""));
        assertTrue(page.getBody().contains("src=\"/Prod/dashboard/assets/" + VERSION + "/docs/swagger-initializer.js\""));
        assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)").matcher(page.getBody()).find(),
                "an inline script, which the Content-Security-Policy refuses: " + page.getBody());
        assertEquals(200, initializer.getStatusCode());
        assertTrue(initializer.getBody().contains("SwaggerUIBundle("), initializer.getBody());
    }

    @Test
    void theApisDescriptionIsTheRepositorysOpenApiYaml() throws IOException {
        APIGatewayProxyResponseEvent answer = get("/openapi.yaml", "/openapi.yaml", null, null);

        assertEquals(200, answer.getStatusCode());
        assertEquals("application/yaml", answer.getHeaders().get("Content-Type"));
        assertEquals("no-cache", answer.getHeaders().get("Cache-Control"));
        assertEquals(Files.readString(Path.of("..", "..", "openapi.yaml")), answer.getBody());
        assertSecured(answer);
    }

    @Test
    void aMatchingIfNoneMatchIsA304WithoutABody() {
        APIGatewayProxyResponseEvent first = asset("app.js");
        String etag = first.getHeaders().get("ETag");

        APIGatewayProxyResponseEvent same = get("/dashboard/{proxy+}", "/dashboard/" + ASSETS + "app.js",
                ASSETS + "app.js", etag);
        APIGatewayProxyResponseEvent weak = get("/openapi.yaml", "/openapi.yaml", null,
                "\"other\", W/" + get("/openapi.yaml", "/openapi.yaml", null, null).getHeaders().get("ETag"));
        APIGatewayProxyResponseEvent other = get("/dashboard/{proxy+}", "/dashboard/" + ASSETS + "app.js",
                ASSETS + "app.js", "\"not-it\"");

        assertTrue(etag.matches("\"[0-9a-f]{20}\""), etag);
        assertEquals(304, same.getStatusCode());
        assertTrue(same.getBody() == null || same.getBody().isEmpty(), same.getBody());
        assertEquals(etag, same.getHeaders().get("ETag"));
        assertEquals("public, max-age=31536000, immutable", same.getHeaders().get("Cache-Control"));
        assertSecured(same);
        assertEquals(304, weak.getStatusCode());
        assertEquals(200, other.getStatusCode());
    }

    @Test
    void theIndexsEntityTagFollowsItsBasePath() {
        String onProd = get("/dashboard", "/dashboard", null, null).getHeaders().get("ETag");
        APIGatewayProxyRequestEvent local = event("/dashboard", "/dashboard", null, null);
        local.getRequestContext().setPath("/dashboard");
        APIGatewayProxyResponseEvent answer = LambdaInvocations.invoke(handler, local,
                APIGatewayProxyResponseEvent.class, "dashboard", 29);

        assertTrue(answer.getBody().contains("\"/dashboard/assets/" + VERSION + "/app.js\""), answer.getBody());
        assertNotEquals(onProd, answer.getHeaders().get("ETag"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "app.js", // not under the version
        "index.html",
        "assets/0000000000000000/app.js", // another version
        "assets/{v}/index.html", // the page, not an asset
        "assets/{v}/docs/index.html",
        "assets/{v}/nothing.js",
        "assets/{v}/vendor/uplot/uPlot.d.ts", // a type not served
        "assets/{v}/vendor/swagger-ui/favicon-32x32.png", // binary: API Gateway carries text here
        "assets/{v}/vendor/swagger-ui/index.html", // the WebJar's own page and its inline-free but foreign script
        "assets/{v}/vendor/other/x.js"})
    void whatIsNotAnAssetIsA404Problem(String proxy) {
        assertNotFound(proxy.replace("{v}", VERSION));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "assets/{v}/../../openapi/openapi.yaml",
        "assets/{v}/vendor/uplot/../../../../../../openapi/openapi.yaml",
        "assets/{v}/vendor/uplot/../uPlot.esm.js",
        // Served without the check: the class loader resolves the dots inside a directory of the classpath (the
        // unpacked artifact on Lambda, target/classes here), and dashboard/app.js is a file there.
        "assets/{v}/vendor/uplot/../../../../../../dashboard/app.js",
        "assets/{v}/vendor/swagger-ui/../../../../../docs/swagger-initializer.js",
        "assets/{v}/vendor/swagger-ui/../../../../../META-INF/MANIFEST.MF",
        "assets/{v}/docs/../../../dev/conveyor/functions/dashboard/DashboardSite.class",
        "assets/{v}/%2e%2e/%2e%2e/openapi/openapi.yaml",
        "assets/{v}/..%2F..%2Fopenapi%2Fopenapi.yaml",
        "assets/{v}/%252e%252e/openapi.yaml",
        "assets/{v}/..\\..\\openapi\\openapi.yaml",
        "assets/{v}//etc/passwd",
        "/etc/passwd",
        "assets/{v}/./app.js",
        "assets/{v}/.hidden.js",
        "assets/{v}/app.js%00.html",
        "assets/{v}/app.js\u0000.html",
        "assets/{v}/vendor/uplot/%2fetc%2fpasswd"})
    void aPathThatWouldLeaveItsDirectoryIsA404Problem(String proxy) {
        assertNotFound(proxy.replace("{v}", VERSION));
    }

    @Test
    void thePathCheckRefusesWhatIsNotAPlainName() {
        assertTrue(DashboardSite.safe("assets/abc/vendor/uplot/uPlot.iife.min.js"));
        for (String path : new String[] {"..", "a/../b", "a/./b", "a//b", "/a", "a/", ".a", "a\\b", "a%2e", "a b",
                "a:b", "C:/x"}) {
            assertFalse(DashboardSite.safe(path), path);
        }
    }

    private void assertNotFound(String proxy) {
        APIGatewayProxyResponseEvent answer = get("/dashboard/{proxy+}", "/dashboard/" + proxy, proxy, null);
        assertEquals(404, answer.getStatusCode(), proxy + ": " + answer.getBody());
        assertEquals("application/problem+json", answer.getHeaders().get("Content-Type"));
        assertTrue(answer.getBody().contains("\"status\":404"), answer.getBody());
        assertEquals("no-store", answer.getHeaders().get("Cache-Control"));
        assertSecured(answer);
    }

    private static void assertSecured(APIGatewayProxyResponseEvent answer) {
        assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                answer.getHeaders().get("Content-Security-Policy"));
        assertEquals("nosniff", answer.getHeaders().get("X-Content-Type-Options"));
        assertEquals("no-referrer", answer.getHeaders().get("Referrer-Policy"));
    }

    private APIGatewayProxyResponseEvent asset(String name) {
        return get("/dashboard/{proxy+}", "/dashboard/" + ASSETS + name, ASSETS + name, null);
    }

    private APIGatewayProxyResponseEvent get(String resource, String path, String proxy, String ifNoneMatch) {
        return LambdaInvocations.invoke(handler, event(resource, path, proxy, ifNoneMatch),
                APIGatewayProxyResponseEvent.class, "dashboard", 29);
    }

    /** A GET as API Gateway sends it from the Prod stage of an execute-api domain, without an API key. */
    private static APIGatewayProxyRequestEvent event(String resource, String path, String proxy, String ifNoneMatch) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", "*/*");
        headers.put("Host", "abc123.execute-api.us-east-1.amazonaws.com");
        if (ifNoneMatch != null) {
            headers.put("If-None-Match", ifNoneMatch);
        }
        APIGatewayProxyRequestEvent.RequestIdentity identity = new APIGatewayProxyRequestEvent.RequestIdentity();
        identity.setSourceIp("203.0.113.7");
        APIGatewayProxyRequestEvent.ProxyRequestContext context = new APIGatewayProxyRequestEvent.ProxyRequestContext();
        context.setRequestId("c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
        context.setResourcePath(resource);
        context.setHttpMethod("GET");
        context.setStage("Prod");
        context.setPath("/Prod" + path);
        context.setIdentity(identity);
        return new APIGatewayProxyRequestEvent()
                .withResource(resource)
                .withPath(path)
                .withHttpMethod("GET")
                .withHeaders(headers)
                .withPathParameters(proxy == null ? null : Map.of("proxy", proxy))
                .withRequestContext(context);
    }

    private static String classpath(String name) throws IOException {
        try (InputStream in = DashboardHandlerTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
