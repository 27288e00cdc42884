package dev.conveyor.handler.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.conveyor.config.Config;
import dev.conveyor.config.Env;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PermanentJobFailure;
import dev.conveyor.handler.RetryLaterJobFailure;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;

/**
 * {@code http}: calls a URL, as Cloud Tasks' HTTP targets and QStash do, so that work in any language can be a job.
 * A 2xx answer is success, its status, a few headers and its body (at most {@link #MAX_BODY_BYTES}) the result;
 * 429, 5xx and 408 answers, timeouts and connection failures are retried within the job's budget, no sooner than
 * {@code Retry-After}; a redirect is not followed; any other answer fails the job. Every request is signed as
 * Standard Webhooks specify. See docs/http-jobs.md.
 *
 * <p>The URL's host is resolved once, every address it resolves to is judged by the {@link AddressGuard}, and the
 * request goes to the first of them: the URL is rewritten to that address, with the original host name in the
 * {@code Host} header and, for HTTPS, in the TLS server name, against which the JDK also verifies the certificate.
 * No second lookup happens between the check and the connection, so DNS cannot be made to answer differently.
 */
public final class HttpHandler implements JobHandler {
    /** The body kept in the result: the Data API store keeps results of at most 24 KB as JSON. */
    static final int MAX_BODY_BYTES = 16 * 1024;
    /** The response headers kept in the result. */
    static final List<String> KEPT_HEADERS = List.of("content-type", "etag", "location", "retry-after");
    private static final String RESTRICTED_HEADERS_PROPERTY = "jdk.httpclient.allowRestrictedHeaders";
    private static final int MAX_CLIENTS = 64;

    static {
        // Lets a request carry the URL's host name in Host while it goes to the address checked for it. The JDK
        // reads this once, when java.net.http is first used: on Lambda that is here (see DECISIONS.md).
        if (System.getProperty(RESTRICTED_HEADERS_PROPERTY) == null) {
            System.setProperty(RESTRICTED_HEADERS_PROPERTY, "host");
        }
    }

    private static final ExecutorService CLIENT_THREADS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "conveyor-http-job");
        thread.setDaemon(true);
        return thread;
    });

    private final AddressGuard guard;
    private final AddressResolver resolver;
    private final SigningSecret secret;
    private final Sender sender;
    /** A client per TLS server name ("" for plain HTTP), so that connections to a receiver are reused. */
    private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();

    /** From the environment: {@code CONVEYOR_HTTP_ALLOW} and {@code CONVEYOR_HTTP_SIGNING_SECRET_ARN}. */
    public HttpHandler() {
        this(new Config(Map.copyOf(Env.current())::get)); // a copy: jobs run on threads without the function's Env
    }

    private HttpHandler(Config config) {
        this(AddressGuard.allowing(config.get(AddressGuard.ALLOW_VARIABLE)), AddressResolver.SYSTEM,
                SigningSecret.from(config));
    }

    public HttpHandler(AddressGuard guard, AddressResolver resolver, SigningSecret secret) {
        this(guard, resolver, secret, HttpClient::send);
    }

    /** @param sender sends a request the guard let through; tests fence it to loopback */
    HttpHandler(AddressGuard guard, AddressResolver resolver, SigningSecret secret, Sender sender) {
        this.guard = guard;
        this.resolver = resolver;
        this.secret = secret;
        this.sender = sender;
    }

    /** The last step, where packets leave. */
    @FunctionalInterface
    interface Sender {
        HttpResponse<InputStream> send(HttpClient client, HttpRequest request,
                                       HttpResponse.BodyHandler<InputStream> body)
                throws IOException, InterruptedException;
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
        return HttpPayload.validate(payload);
    }

    @Override
    public JsonNode run(JobContext context) throws Exception {
        HttpPayload payload = HttpPayload.of(context.payload());
        URI url = payload.url();
        InetAddress address = checkedAddress(url.getHost());
        Duration timeout = context.remaining();
        if (timeout.isZero()) {
            throw new HttpTimeoutException("no time left in this attempt to send the request");
        }
        HttpRequest request = request(context, payload, address, timeout);
        HttpResponse<InputStream> response;
        try {
            response = sender.send(client(url), request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new HttpTimeoutException("no answer from " + url.getHost() + " (" + address.getHostAddress()
                    + ") within " + timeout.toMillis() / 1000.0 + " s");
        } catch (IOException e) {
            throw new IOException("could not reach " + url.getHost() + " (" + address.getHostAddress() + "): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        return answer(response, context);
    }

    /** The address to connect to: the host's first, once every address it resolves to passed the guard. */
    private InetAddress checkedAddress(String host) throws PermanentJobFailure, UnknownHostException {
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("cannot resolve " + host); // retried: DNS may recover
        }
        if (addresses.isEmpty()) {
            throw new UnknownHostException("cannot resolve " + host);
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = guard.refusal(address);
            if (refusal.isPresent()) {
                throw new PermanentJobFailure("refused to connect to " + host + ": " + refusal.get()
                        + "; http jobs reach public addresses only unless " + AddressGuard.ALLOW_VARIABLE
                        + " allows more (docs/http-jobs.md)");
            }
        }
        return addresses.get(0);
    }

    private HttpRequest request(JobContext context, HttpPayload payload, InetAddress address, Duration timeout)
            throws PermanentJobFailure {
        URI url = payload.url();
        byte[] body = payload.body() == null ? new byte[0] : payload.body();
        String id = context.job().id().toString();
        long timestamp = context.clock().instant().getEpochSecond();
        HttpRequest.Builder builder = HttpRequest.newBuilder(pinned(url, address))
                .timeout(timeout)
                .method(payload.method(), payload.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        payload.headers().forEach(builder::header);
        if (payload.contentType() != null && !HttpPayload.has(payload.headers(), "content-type")) {
            builder.header("Content-Type", payload.contentType());
        }
        if (!HttpPayload.has(payload.headers(), "user-agent")) {
            builder.header("User-Agent", "Conveyor");
        }
        builder.header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp))
                .header("webhook-signature", WebhookSignature.sign(secret.key(), id, timestamp, body));
        if (!isIpLiteral(url.getHost())) {
            try {
                builder.header("Host", url.getRawAuthority());
            } catch (IllegalArgumentException e) {
                throw new PermanentJobFailure("this JVM's HTTP client may not set the Host header, which requests "
                        + "to a host name need: start it with -D" + RESTRICTED_HEADERS_PROPERTY + "=host");
            }
        }
        return builder.build();
    }

    /** The URL with its host replaced by {@code address}. */
    private static URI pinned(URI url, InetAddress address) {
        String host = address.getHostAddress().replaceFirst("%.*", "");
        return URI.create(url.getScheme() + "://" + (host.contains(":") ? "[" + host + "]" : host)
                + (url.getPort() == -1 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    }

    private HttpClient client(URI url) {
        boolean tls = url.getScheme().equalsIgnoreCase("https");
        String serverName = tls ? url.getHost() : "";
        if (clients.size() > MAX_CLIENTS) {
            clients.clear();
        }
        return clients.computeIfAbsent(serverName, name -> {
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1) // Host travels as a header in HTTP/1.1 only
                    .executor(CLIENT_THREADS);
            if (!name.isEmpty() && !isIpLiteral(name)) {
                SSLParameters tlsParameters = new SSLParameters();
                tlsParameters.setServerNames(List.of(new SNIHostName(name)));
                builder.sslParameters(tlsParameters);
            }
            return builder.build();
        });
    }

    private static boolean isIpLiteral(String host) {
        try {
            Cidr.literal(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode answer(HttpResponse<InputStream> response, JobContext context) throws Exception {
        byte[] body;
        boolean truncated;
        try (InputStream in = response.body()) {
            byte[] read = in.readNBytes(MAX_BODY_BYTES + 1);
            truncated = read.length > MAX_BODY_BYTES;
            body = truncated ? java.util.Arrays.copyOf(read, MAX_BODY_BYTES) : read;
        }
        int status = response.statusCode();
        String text = text(body);
        if (status >= 200 && status < 300) {
            ObjectNode result = Json.object().put("status", status);
            ObjectNode headers = result.putObject("headers");
            for (String name : KEPT_HEADERS) {
                response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
            }
            if (headers.isEmpty()) {
                result.remove("headers");
            }
            result.put("body", fit(text));
            if (truncated || !fit(text).equals(text)) {
                result.put("body_truncated", true);
            }
            return result;
        }
        String said = "the server answered " + status + (text.isBlank() ? "" : ": " + snippet(text));
        if (status >= 300 && status < 400) {
            throw new PermanentJobFailure("the server answered " + status + " redirecting to "
                    + response.headers().firstValue("location").orElse("(no Location)")
                    + "; redirects are not followed: submit the job with the final URL");
        }
        if (status == 429 || status == 408 || status >= 500) {
            Optional<String> retryAfter = response.headers().firstValue("retry-after");
            Duration wait = retryAfter.flatMap(v -> RetryAfter.parse(v, context.clock().instant()))
                    .orElse(Duration.ZERO);
            throw new RetryLaterJobFailure(said + retryAfter.map(v -> " (Retry-After: " + v + ")").orElse(""), wait);
        }
        throw new PermanentJobFailure(said);
    }

    /** The body as text: UTF-8, with anything that is not replaced. */
    private static String text(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException(e); // REPLACE never throws
        }
    }

    /** The longest start of {@code text} whose JSON form fits in {@link #MAX_BODY_BYTES} (escapes can be 6 bytes). */
    private static String fit(String text) {
        if (jsonBytes(text) <= MAX_BODY_BYTES) {
            return text;
        }
        int low = 0;
        int high = text.length();
        while (low < high) {
            int middle = (low + high + 1) / 2;
            if (jsonBytes(text.substring(0, middle)) <= MAX_BODY_BYTES) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        if (low > 0 && Character.isHighSurrogate(text.charAt(low - 1))) {
            low--; // never half a character
        }
        return text.substring(0, low);
    }

    private static int jsonBytes(String text) {
        return Json.write(TextNode.valueOf(text)).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String snippet(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
