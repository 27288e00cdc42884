package dev.conveyor.functions.dashboard;

import dev.conveyor.api.ApiRequest;
import dev.conveyor.api.ApiResponse;
import dev.conveyor.api.Problems;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, Swagger UI and the API's description, as the {@code dashboard} function serves them.
 *
 * <ul>
 *   <li>{@code /dashboard} (and {@code /dashboard/}): {@code dashboard/index.html}, its {@code {{assets}}} replaced
 *       by {@code <basePath>/dashboard/assets/<version>}; revalidated at every load ({@code no-cache}).
 *   <li>{@code /dashboard/assets/<version>/<file>}: every other file of {@code dashboard/}; {@code docs/<file>}, the
 *       files of our Swagger UI page; {@code vendor/uplot/<file>} and {@code vendor/swagger-ui/<file>}, the WebJars'
 *       scripts and style sheets. {@code <version>} is a hash of all of them, so a path's content never changes and
 *       is cached for a year ({@code immutable}); another version is a 404.
 *   <li>{@code /docs}: {@code docs/index.html}, Swagger UI reading {@code <basePath>/openapi.yaml}.
 *   <li>{@code /openapi.yaml}: the repository's openapi.yaml, copied into the artifact by the build.
 * </ul>
 *
 * Our own files are read and hashed at init; a WebJar's file at its first request, then kept. Every answer,
 * problems included, carries the {@link #CSP} and the other {@link #SECURITY_HEADERS}, and an {@code ETag}
 * that {@code If-None-Match} turns into a {@code 304}. Only names made of letters, digits, {@code .}, {@code _} and
 * {@code -}, none starting with a dot, are looked up at all: no {@code ..}, no absolute path, no escape.
 */
final class DashboardSite {
    /** What the pages may load: their own origin's scripts, styles, images (and data: images), fonts and API. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", CSP,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";
    static final String ASSETS = "{{assets}}";
    static final String BASE = "{{base}}";

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final List<String> VENDOR_TYPES = List.of(".js", ".css");

    private final ClasspathFiles classpath;
    private final String index;
    private final String docs;
    private final StaticFile openApi;
    private final Map<String, StaticFile> assets;
    /** Path under the assets directory, e.g. {@code vendor/uplot/}, to the WebJar's directory on the classpath. */
    private final Map<String, String> vendors;
    private final Map<String, StaticFile> vendorFiles = new ConcurrentHashMap<>();
    private final String version;

    DashboardSite(ClassLoader loader) {
        this.classpath = new ClasspathFiles(loader);
        Map<String, String> dashboard = classpath.readAll("dashboard", "index.html");
        Map<String, String> swagger = classpath.readAll("docs", "index.html");
        this.index = dashboard.remove("index.html");
        this.docs = swagger.remove("index.html");
        Map<String, StaticFile> files = new TreeMap<>();
        dashboard.forEach((name, body) -> files.put(name, StaticFile.of("dashboard/" + name, body)));
        swagger.forEach((name, body) -> {
            if (files.put("docs/" + name, StaticFile.of("docs/" + name, body)) != null) {
                throw new IllegalStateException("dashboard/docs/" + name + " hides the Swagger UI page's own file");
            }
        });
        this.assets = Map.copyOf(files);
        this.vendors = Map.of(
                "vendor/uplot/", webJar("org.webjars.npm", "uplot") + "dist/",
                "vendor/swagger-ui/", webJar("org.webjars", "swagger-ui"));
        String yaml = classpath.read("openapi/openapi.yaml");
        if (yaml == null) {
            throw new IllegalStateException("the artifact has no openapi/openapi.yaml (the build copies it)");
        }
        this.openApi = StaticFile.of("openapi.yaml", yaml);
        StringBuilder all = new StringBuilder();
        files.forEach((name, file) -> all.append(name).append('\0').append(file.etag()).append('\0'));
        new TreeMap<>(vendors).forEach((path, jar) -> all.append(path).append('\0').append(jar).append('\0'));
        this.version = StaticFile.hash(all.toString()).substring(0, 16);
    }

    /** The WebJar's directory, {@code META-INF/resources/webjars/<name>/<version>/}, its version from its pom. */
    private String webJar(String group, String name) {
        String pom = classpath.read("META-INF/maven/" + group + "/" + name + "/pom.properties");
        if (pom == null) {
            throw new IllegalStateException("the WebJar " + group + ":" + name + " is not on the classpath");
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(pom));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "META-INF/resources/webjars/" + name + "/" + properties.getProperty("version") + "/";
    }

    /** The hash in the assets' paths. */
    String version() {
        return version;
    }

    /** {@code GET /dashboard}. */
    ApiResponse dashboard(ApiRequest request) {
        return page(index, request);
    }

    /** {@code GET /docs}. */
    ApiResponse docs(ApiRequest request) {
        return page(docs, request);
    }

    /** {@code GET /openapi.yaml}. */
    ApiResponse openApi(ApiRequest request) {
        return answer(openApi, REVALIDATE, request);
    }

    /** {@code GET /dashboard/{proxy+}}: a versioned asset; the index for {@code /dashboard/}. */
    ApiResponse file(ApiRequest request) {
        String path = request.pathParameter("proxy");
        if (path == null || path.isEmpty()) {
            return dashboard(request);
        }
        String prefix = "assets/" + version + "/";
        if (!path.startsWith(prefix) || !safe(path)) {
            return notFound(request);
        }
        String name = path.substring(prefix.length());
        StaticFile file = assets.containsKey(name) ? assets.get(name) : vendorFile(name);
        return file == null ? notFound(request) : answer(file, IMMUTABLE, request);
    }

    /** Whether every segment of the path is a plain name: nothing empty, nothing starting with a dot, no escapes. */
    static boolean safe(String path) {
        return Arrays.stream(path.split("/", -1)).allMatch(segment -> SEGMENT.matcher(segment).matches());
    }

    private StaticFile vendorFile(String name) {
        StaticFile cached = vendorFiles.get(name);
        if (cached != null) {
            return cached;
        }
        for (Map.Entry<String, String> vendor : vendors.entrySet()) {
            if (name.startsWith(vendor.getKey()) && VENDOR_TYPES.stream().anyMatch(name::endsWith)) {
                String body = classpath.read(vendor.getValue() + name.substring(vendor.getKey().length()));
                if (body == null) {
                    return null; // not kept: the names asked for are the client's, the files found are the jar's
                }
                StaticFile file = StaticFile.of(name, body);
                vendorFiles.put(name, file);
                return file;
            }
        }
        return null;
    }

    private ApiResponse page(String template, ApiRequest request) {
        String body = template.replace(ASSETS, request.basePath() + "/dashboard/assets/" + version)
                .replace(BASE, request.basePath());
        return answer(StaticFile.of("page.html", body), REVALIDATE, request);
    }

    private static ApiResponse answer(StaticFile file, String cacheControl, ApiRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ETag", file.etag());
        headers.put("Cache-Control", cacheControl);
        headers.putAll(SECURITY_HEADERS);
        if (matches(request.header("If-None-Match"), file.etag())) {
            return new ApiResponse(304, headers, "");
        }
        headers.put("Content-Type", file.contentType());
        return new ApiResponse(200, headers, file.body());
    }

    /** Whether an {@code If-None-Match} header names the entity tag (weakly, as RFC 9110 compares for it). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String candidate = tag.strip();
            if (candidate.equals("*") || candidate.replaceFirst("^W/", "").equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static ApiResponse notFound(ApiRequest request) {
        ApiResponse problem = Problems.problem(404, "there is no file at " + request.basePath() + request.path()
                + "; the dashboard is at " + request.basePath() + "/dashboard", List.of(), Map.of(), request);
        return secured(problem).withHeader("Cache-Control", "no-store");
    }

    /** Any answer with the security headers, for those made elsewhere (a route's failure). */
    static ApiResponse secured(ApiResponse response) {
        ApiResponse secured = response;
        for (Map.Entry<String, String> header : SECURITY_HEADERS.entrySet()) {
            secured = secured.withHeader(header.getKey(), header.getValue());
        }
        return secured;
    }
}
