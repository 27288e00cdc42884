package dev.conveyor.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.config.Config;
import dev.conveyor.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client for AWS's JSON protocols (SQS, Secrets Manager): each operation is a signed {@code POST /} naming it in
 * {@code X-Amz-Target}, a JSON object in and out. Throttling, 5xx answers and broken connections are tried again,
 * up to three attempts in all with jittered exponential backoff, as the AWS SDK's standard retry mode does; any other
 * error fails at once as an {@link AwsException} carrying AWS's error code.
 *
 * <p>The functions use this rather than the AWS SDK: the SDK's clients load some 1,600 classes on their first call
 * (its service metadata alone, some 300, to resolve a signing region the endpoint rules replace anyway), which was
 * most of a function's cold start, and cost several times this client's CPU per call.
 */
public final class AwsJsonClient {
    static final int MAX_ATTEMPTS = 3;
    private static final Duration BASE_DELAY = Duration.ofMillis(100);
    private static final Duration THROTTLED_BASE_DELAY = Duration.ofMillis(500);
    private static final Duration MAX_DELAY = Duration.ofSeconds(20);
    private static final Set<String> THROTTLING = Set.of("Throttling", "ThrottlingException", "ThrottledException",
            "RequestThrottledException", "TooManyRequestsException", "RequestThrottled", "RequestLimitExceeded",
            "BandwidthLimitExceeded", "LimitExceededException", "SlowDown", "PriorRequestNotComplete",
            "EC2ThrottledException", "ProvisionedThroughputExceededException", "TransactionInProgressException");
    private static final Set<String> TRANSIENT = Set.of("RequestTimeout", "RequestTimeoutException",
            "InternalError", "InternalFailure", "ServiceUnavailable");

    /** What names a service on the wire: its signing name, target prefix, JSON version and endpoint host. */
    public record Service(String signingName, String targetPrefix, String jsonVersion, String hostPrefix,
                          String endpointVariable) {
        public static final Service SQS = new Service("sqs", "AmazonSQS", "1.0", "sqs", "SQS");
        public static final Service SECRETS_MANAGER =
                new Service("secretsmanager", "secretsmanager", "1.1", "secretsmanager", "SECRETS_MANAGER");
    }

    private final Service service;
    private final URI endpoint;
    private final String region;
    private final CredentialsSource credentials;
    private final Clock clock;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    public AwsJsonClient(Service service, URI endpoint, String region, CredentialsSource credentials, Clock clock,
                         Duration connectTimeout, Duration readTimeout) {
        this.service = service;
        this.endpoint = endpoint.getPath().isEmpty() ? endpoint.resolve("/") : endpoint;
        this.region = region;
        this.credentials = credentials;
        this.clock = clock;
        this.connectTimeoutMillis = (int) connectTimeout.toMillis();
        this.readTimeoutMillis = (int) readTimeout.toMillis();
    }

    /**
     * The client Lambda's environment describes: {@code AWS_REGION}, the credentials, and the endpoint:
     * {@code AWS_ENDPOINT_URL_<SERVICE>} or {@code AWS_ENDPOINT_URL} when set (a local stand-in), else the
     * service's regional endpoint.
     */
    public static AwsJsonClient of(Service service, Config config) {
        String region = config.required("AWS_REGION");
        String endpoint = config.get("AWS_ENDPOINT_URL_" + service.endpointVariable(), config.get("AWS_ENDPOINT_URL"));
        URI uri = endpoint != null && !endpoint.isEmpty() ? URI.create(endpoint) : URI.create("https://"
                + service.hostPrefix() + "." + region + ".amazonaws.com" + (region.startsWith("cn-") ? ".cn" : ""));
        return new AwsJsonClient(service, uri, region, CredentialsSource.from(config), Clock.systemUTC(),
                Duration.ofSeconds(2), Duration.ofSeconds(25));
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * Does all of a call but sending it: takes the credentials, signs a request, opens (not connects) an HTTP
     * connection. What a function's first call would otherwise load then.
     */
    public void prime(String operation) {
        byte[] body = Json.write(Json.object().put("QueueUrl", endpoint.toString())).getBytes(StandardCharsets.UTF_8);
        signedHeaders(operation, body);
        try {
            endpoint.toURL().openConnection();
        } catch (IOException e) {
            throw new AwsException("cannot open a connection to " + endpoint + ": " + e, 0, null, true, e);
        }
    }

    /** Calls {@code operation} with {@code request}; answers the response object. */
    public JsonNode call(String operation, ObjectNode request) {
        byte[] body = Json.write(request).getBytes(StandardCharsets.UTF_8);
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(operation, body);
            } catch (AwsException e) {
                if (!e.retryable() || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                sleep(backoff(attempt, throttled(e.code()) ? THROTTLED_BASE_DELAY : BASE_DELAY));
            }
        }
    }

    private JsonNode attempt(String operation, byte[] body) {
        Map<String, String> headers = signedHeaders(operation, body);
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) endpoint.toURL().openConnection();
            connection.setRequestMethod("POST");
            connection.setConnectTimeout(connectTimeoutMillis);
            connection.setReadTimeout(readTimeoutMillis);
            connection.setUseCaches(false);
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            headers.forEach(connection::setRequestProperty);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            byte[] answer;
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                answer = in == null ? new byte[0] : in.readAllBytes();
            }
            if (status == 200) {
                return answer(operation, answer);
            }
            throw error(operation, status, new String(answer, StandardCharsets.UTF_8),
                    connection.getHeaderField("x-amzn-query-error"));
        } catch (IOException e) {
            if (connection != null) {
                connection.disconnect();
            }
            throw new AwsException(service.targetPrefix() + "." + operation + " could not reach " + endpoint + ": "
                    + e, 0, null, true, e);
        }
    }

    /** A successful answer: AWS's JSON, read without the limits on what clients send (a received batch is large). */
    private JsonNode answer(String operation, byte[] answer) {
        try {
            JsonNode node = answer.length == 0 ? null : Json.readEvent(new ByteArrayInputStream(answer));
            return node == null || node.isMissingNode() ? Json.object() : node;
        } catch (IOException e) {
            throw new AwsException(service.targetPrefix() + "." + operation + " answered malformed JSON: "
                    + e.getMessage(), 200, null, false, e);
        }
    }

    /** The headers of a call, signed; all but {@code Host}, which the connection writes from the URL as signed. */
    private Map<String, String> signedHeaders(String operation, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-amz-json-" + service.jsonVersion());
        headers.put("Host", host(endpoint));
        headers.put("X-Amz-Target", service.targetPrefix() + "." + operation);
        headers.putAll(SigV4.sign("POST", endpoint.getRawPath(), "", headers, body, credentials.get(), region,
                service.signingName(), clock.instant()));
        headers.remove("Host");
        return headers;
    }

    /**
     * AWS's error: the query-compatible code ({@code x-amzn-query-error} up to its {@code ;}) or {@code __type}, each
     * without a namespace up to a {@code #} (ElasticMQ names one in both), and its message.
     */
    private AwsException error(String operation, int status, String text, String queryError) {
        String code = null;
        String message = text;
        try {
            JsonNode node = Json.parse(text);
            String type = node.path("__type").asText(null);
            code = type == null ? null : withoutNamespace(type);
            message = node.hasNonNull("message") ? node.get("message").asText() : node.path("Message").asText(text);
        } catch (RuntimeException e) {
            // not JSON (a proxy's page, an empty body): the status says what there is to say
        }
        if (queryError != null && !queryError.isEmpty()) {
            code = withoutNamespace(queryError.split(";", 2)[0]);
        }
        boolean retryable = status >= 500 || status == 429 || (code != null
                && (THROTTLING.contains(code) || TRANSIENT.contains(code)));
        return new AwsException(service.targetPrefix() + "." + operation + " failed: " + status
                + (code == null ? "" : " " + code) + (message == null || message.isEmpty() ? "" : ": " + message),
                status, code, retryable);
    }

    private static String withoutNamespace(String code) {
        return code.substring(code.lastIndexOf('#') + 1);
    }

    /** Whether AWS's error code says to slow down; a failure without one (no answer, a proxy's page) does not. */
    private static boolean throttled(String code) {
        return code != null && THROTTLING.contains(code); // Set.of(...).contains(null) throws
    }

    /** The Host header the connection sends: the port only when it is not the scheme's own. */
    static String host(URI uri) {
        int port = uri.getPort();
        boolean standard = port == -1 || (port == 443 && "https".equals(uri.getScheme().toLowerCase(Locale.ROOT)))
                || (port == 80 && "http".equals(uri.getScheme().toLowerCase(Locale.ROOT)));
        return standard ? uri.getHost() : uri.getHost() + ":" + port;
    }

    /** Full jitter: a random delay up to {@code base * 2^(attempt-1)}, at most 20 s. */
    static Duration backoff(int attempt, Duration base) {
        long ceiling = Math.min(MAX_DELAY.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AwsException("interrupted while backing off", 0, null, false, e);
        }
    }
}
