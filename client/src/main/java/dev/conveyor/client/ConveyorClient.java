package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Conveyor's job API from Java: one method per call. Immutable and safe to share between threads; build one per
 * application with {@link #builder()}.
 *
 * <pre>{@code
 * ConveyorClient conveyor = ConveyorClient.builder().url("http://127.0.0.1:3000").apiKey(key).build();
 * Job job = conveyor.submit(JobRequest.of("echo", Map.of("message", "hello")));
 * Job done = conveyor.await(job.id(), Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Each refusal is a {@link ConveyorApiException} (a subclass for 400, 403, 404, 409, 429, 503); an API that
 * cannot be reached is a {@link ConveyorConnectionException}. 429 and 503 are retried as {@link RetrySettings}
 * say, and so are connections refused; a connection lost mid-call is retried only where repeating the call cannot
 * do it twice: reads, submissions (each carries an Idempotency-Key) and cancels.
 */
public final class ConveyorClient {
    private static final Duration FIRST_POLL = Duration.ofMillis(100);
    private static final Duration LONGEST_POLL = Duration.ofSeconds(2);

    private final URI url;
    private final String apiKey;
    private final Duration requestTimeout;
    private final RetrySettings retry;
    private final HttpClient http;

    private ConveyorClient(Builder builder) {
        String base = Objects.requireNonNull(builder.url, "url").toString();
        this.url = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.apiKey = builder.apiKey;
        this.requestTimeout = builder.requestTimeout;
        this.retry = builder.retry;
        this.http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The API's base URL, as built. */
    public URI url() {
        return url;
    }

    /**
     * Submits a job under a new Idempotency-Key (a random UUID), which its retries repeat: however often the call is
     * retried, it makes one job.
     */
    public Job submit(JobRequest request) {
        return submit(request, UUID.randomUUID().toString());
    }

    /**
     * Submits a job under your own Idempotency-Key (1 to 255 visible ASCII characters): a later submit of the same
     * request with the same key answers the job the first made, and the same key with another request is a
     * {@link ConflictException}. Keys are scoped to the API key and kept as long as the job.
     */
    public Job submit(JobRequest request, String idempotencyKey) {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        HttpRequest.Builder post = request("/jobs").header("Idempotency-Key", idempotencyKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(request.toJson())));
        return Job.from(call(post, true));
    }

    /**
     * Submits 1 to 100 jobs at once, all or nothing: one invalid job is a {@link ValidationException} naming its
     * fields by index ({@code jobs[3].type}) and none is stored. The API takes no Idempotency-Key here, so a batch is
     * not retried after a lost connection (only after 429 and 503, which stored nothing).
     *
     * @return the jobs, in the order given
     */
    public List<Job> submitBatch(List<JobRequest> requests) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode jobs = body.putArray("jobs");
        requests.forEach(r -> jobs.add(r.toJson()));
        HttpRequest.Builder post = request("/jobs/batch").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        List<Job> submitted = new ArrayList<>();
        call(post, false).path("jobs").forEach(job -> submitted.add(Job.from(job)));
        return submitted;
    }

    /** The job now; {@link NotFoundException} when there is none. */
    public Job get(String id) {
        return Job.from(call(request(job(id)).GET(), true));
    }

    /** Every job, newest first, fetched a page at a time as the stream is read. */
    public Stream<Job> list() {
        return list(JobFilter.all());
    }

    /**
     * The jobs the filter takes, newest first, fetched a page at a time as the stream is read: a stream cut short
     * ({@code limit}, {@code findFirst}) fetches no more pages than it reads. The pages follow a keyset cursor, so
     * no job is skipped or repeated while others are submitted.
     */
    public Stream<Job> list(JobFilter filter) {
        Objects.requireNonNull(filter, "filter");
        Iterator<Job> jobs = new Iterator<>() {
            private final Deque<Job> page = new ArrayDeque<>();
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (page.isEmpty() && !last) {
                    JsonNode answer = call(request("/jobs?" + filter.query(cursor)).GET(), true);
                    answer.path("jobs").forEach(job -> page.add(Job.from(job)));
                    cursor = Json.text(answer, "next_cursor");
                    last = cursor == null;
                }
                return !page.isEmpty();
            }

            @Override
            public Job next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.removeFirst();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(jobs,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** The job's history, oldest first. */
    public List<JobEvent> events(String id) {
        List<JobEvent> events = new ArrayList<>();
        call(request(job(id) + "/events").GET(), true).path("events").forEach(e -> events.add(JobEvent.from(e)));
        return events;
    }

    /**
     * Runs a FAILED, DEAD_LETTERED or CANCELLED job again, with a fresh attempt budget; a {@link ConflictException}
     * for a job in another state.
     */
    public Job retry(String id) {
        return Job.from(call(request(job(id) + "/retry").POST(HttpRequest.BodyPublishers.noBody()), false));
    }

    /** Cancels a PENDING or RETRYING job; a {@link ConflictException} for one running or finished. */
    public Job cancel(String id) {
        return Job.from(call(request(job(id) + "/cancel").POST(HttpRequest.BodyPublishers.noBody()), true));
    }

    /**
     * Polls the job until it is in a terminal state (SUCCESS, FAILED, DEAD_LETTERED, CANCELLED) and answers it:
     * first after 100 ms, then half as long again each time, at most 2 s apart.
     *
     * @throws JobAwaitTimeoutException when {@code timeout} passes first, with the job as last seen
     */
    public Job await(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration pause = FIRST_POLL;
        while (true) {
            Job job = get(id);
            long left = deadline - System.nanoTime();
            if (job.state().isTerminal()) {
                return job;
            }
            if (left <= 0) {
                throw new JobAwaitTimeoutException(job, timeout);
            }
            sleep(Duration.ofNanos(Math.min(pause.toNanos(), left)));
            pause = min(pause.multipliedBy(3).dividedBy(2), LONGEST_POLL);
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String job(String id) {
        Objects.requireNonNull(id, "id");
        return "/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(requestTimeout)
                .header("Accept", "application/json");
        if (apiKey != null) {
            request.header("x-api-key", apiKey);
        }
        return request;
    }

    /**
     * Sends the request and answers its JSON, retrying 429, 503 and refused connections, and any lost connection when
     * {@code idempotent}; throws the answer's exception once the retries are spent.
     */
    private JsonNode call(HttpRequest.Builder builder, boolean idempotent) {
        HttpRequest request = builder.build();
        for (int retries = 0; ; retries++) {
            boolean last = retries >= retry.maxRetries();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                if (last || !(idempotent || e instanceof ConnectException)) {
                    throw new ConveyorConnectionException(request.method() + " " + request.uri() + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
                }
                sleep(retry.delay(retries + 1, null));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConveyorException("interrupted while calling " + request.uri(), e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return Json.parse(response.body());
            }
            Duration retryAfter = retryAfter(response);
            if (last || (status != 429 && status != 503)) {
                throw ConveyorApiException.from(status, response.body(),
                        response.headers().firstValue("Content-Type").orElse(null), retryAfter);
            }
            sleep(retry.delay(retries + 1, retryAfter));
        }
    }

    /** The answer's Retry-After, in seconds or as an HTTP date; null when it has none that reads. */
    private static Duration retryAfter(HttpResponse<?> response) {
        String value = response.headers().firstValue("Retry-After").orElse(null);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConveyorException("interrupted while waiting", e);
        }
    }

    /** Builds a {@link ConveyorClient}: the URL is required, the rest have defaults. */
    public static final class Builder {
        private URI url;
        private String apiKey;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private RetrySettings retry = RetrySettings.DEFAULT;

        private Builder() {
        }

        /** The API's base URL: the stack's ApiUrl output, or http://127.0.0.1:3000 for ./conveyor local. */
        public Builder url(String url) {
            return url(URI.create(url));
        }

        public Builder url(URI url) {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new IllegalArgumentException("an http or https URL, not " + url);
            }
            this.url = url;
            return this;
        }

        /** The API key, sent as {@code x-api-key}; none by default. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** How long to wait for a connection (5 s by default). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /** How long to wait for each answer (30 s by default; API Gateway gives up after 29 s). */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        /** How calls are retried ({@link RetrySettings#DEFAULT}; {@link RetrySettings#NONE} for never). */
        public Builder retry(RetrySettings retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        public ConveyorClient build() {
            return new ConveyorClient(this);
        }
    }
}
