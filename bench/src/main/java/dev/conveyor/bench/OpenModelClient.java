package dev.conveyor.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.Connection;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;

/**
 * The open model's HTTP client: Jetty's, over HTTP/1.1, with TCP_NODELAY set as browsers, Node and most clients do.
 * Each {@link #connect()} opens a connection of its own that Jetty does not pool, so that a user's requests go on
 * the connection it opened and on no other; the caller closes it. A request is timed from just before Jetty starts
 * writing it (its "begin" event, on the connection's thread) to when its whole response has been read, and never
 * fails: it comes back as an {@link Exchange}, answered or failed by {@link ErrorKind}.
 */
final class OpenModelClient implements AutoCloseable {
    /** Each request's whole time (sent, answered, read), and each connect's; past it the request is a timeout. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The answers are a job or an error, far smaller than this; a larger one fails the request ("other"). */
    private static final int MAX_BODY_BYTES = 64 * 1024;

    private final HttpClient http;
    private final String base;
    private final String apiKey;
    private final AtomicInteger opened;

    private OpenModelClient(HttpClient http, String base, String apiKey, AtomicInteger opened) {
        this.http = http;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.apiKey = apiKey;
        this.opened = opened;
    }

    /** A started client for the API at {@code base}; {@code apiKey} may be null. */
    static OpenModelClient start(String base, String apiKey) {
        ClientConnector connector = new ClientConnector();
        connector.setTCPNoDelay(true);
        connector.setConnectTimeout(TIMEOUT);
        HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(connector));
        http.setFollowRedirects(false);
        http.setHttpCookieStore(new HttpCookieStore.Empty()); // users share nothing
        AtomicInteger opened = new AtomicInteger();
        http.addBean(new org.eclipse.jetty.io.Connection.Listener() {
            @Override
            public void onOpened(org.eclipse.jetty.io.Connection connection) {
                opened.incrementAndGet();
            }
        });
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("the open model's HTTP client did not start", e);
        }
        return new OpenModelClient(http, base, apiKey, opened);
    }

    /** How a request failed. */
    enum ErrorKind {
        /** The connection could not be opened (refused, or not within {@link #TIMEOUT}). */
        CONNECT,
        /** The connection was reset or closed before the whole response was read. */
        CLOSED,
        /** No whole response within {@link #TIMEOUT}. */
        TIMEOUT,
        /** A whole response with another status than the one expected (the caller judges). */
        STATUS,
        /** Anything else: a response that could not be parsed, or a body without what was expected. */
        OTHER;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What one request came to: a whole response, or a failure before one.
     *
     * @param status the response's status; 0 when it failed
     * @param millis from just before it was written to its whole response read; NaN when it failed
     * @param failure null when it was answered
     * @param error what it failed with, for people; null when it was answered
     */
    record Exchange(int status, String body, double millis, ErrorKind failure, String error) {
        boolean answered() {
            return failure == null;
        }

        static Exchange failed(Throwable error) {
            return new Exchange(0, "", Double.NaN, kind(error), describe(error));
        }
    }

    /**
     * The connections this client has opened so far, whichever way: {@link #connect()}'s, and any that Jetty's own
     * pool would open. The open model checks its users opened one each and no more.
     */
    int connectionsOpened() {
        return opened.get();
    }

    /** A new connection to the API, not pooled: the caller sends on it and closes it. Fails with a CONNECT. */
    CompletableFuture<Connection> connect() {
        return http.resolveDestination(http.newRequest(base)).newConnection();
    }

    CompletableFuture<Exchange> post(Connection connection, String path, String json) {
        return send(connection, request(path).method(HttpMethod.POST)
                .body(new StringRequestContent("application/json", json)));
    }

    CompletableFuture<Exchange> get(Connection connection, String path) {
        return send(connection, request(path).method(HttpMethod.GET));
    }

    private Request request(String path) {
        Request request = http.newRequest(base + path).timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (apiKey != null) {
            request.headers(headers -> headers.put("x-api-key", apiKey));
        }
        return request;
    }

    private static CompletableFuture<Exchange> send(Connection connection, Request request) {
        AtomicLong begin = new AtomicLong();
        request.onRequestBegin(r -> begin.set(System.nanoTime()));
        return new CompletableResponseListener(request, MAX_BODY_BYTES).send(connection).handle((response, error) -> {
            long end = System.nanoTime();
            if (error != null) {
                return Exchange.failed(error);
            }
            return new Exchange(response.getStatus(), response.getContentAsString(), (end - begin.get()) / 1e6, null,
                    null);
        });
    }

    /** A failed request's kind, from what Jetty failed it with. */
    static ErrorKind kind(Throwable error) {
        error = unwrap(error);
        if (error instanceof TimeoutException) {
            return ErrorKind.TIMEOUT;
        }
        if (error instanceof IOException) { // EOF, reset, closed channel
            return ErrorKind.CLOSED;
        }
        return ErrorKind.OTHER;
    }

    /** "EofException: reset (caused by IOException: Connection reset by peer)", at most 200 characters. */
    static String describe(Throwable error) {
        error = unwrap(error);
        String text = error.getClass().getSimpleName() + ": " + error.getMessage();
        Throwable cause = error.getCause();
        if (cause != null && cause != error) {
            text += " (caused by " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException)
                && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the open model's HTTP client did not stop", e);
        }
    }
}
