package dev.conveyor.local;

import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An HTTP/1.1 server on {@code 127.0.0.1} for every endpoint the local runtime serves (the API gateway, the Data API,
 * the custom resources' response URL), on Jetty, set up to behave as a front door on AWS does for clients:
 * {@code TCP_NODELAY} on every connection (a response is never held back by Nagle's algorithm against the client's
 * delayed ACK), keep-alive connections closed only after {@link #IDLE_TIMEOUT} of silence and never capped in
 * number, {@code Connection: close} on the last response of a connection the server ends, API Gateway's limit on
 * the request line and headers, and its own errors (a malformed request, headers too large) answered as
 * {@code {"message": ...}} JSON. Why Jetty: docs/DECISIONS.md, "The local HTTP server".
 *
 * <p>A handler sees a plain {@link Exchange} and answers an {@link Answer}; it runs on one of the server's threads
 * and may block.
 */
public final class LocalHttpServer implements AutoCloseable {
    private static final Log LOG = Log.of(LocalHttpServer.class);
    /** API Gateway's quota on a REST API request's line and headers together. */
    static final int MAX_REQUEST_HEAD_BYTES = 10_240;
    /** How long a keep-alive connection may stay silent before the server closes it (an ALB's default). */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * A request as the handler sees it.
     *
     * @param path the path, percent-decoded, as {@link URI#getPath()} gives it
     * @param rawQuery the query string as sent, null when there is none
     * @param headers every header by its name as the client spelled it (the first spelling, for names sent twice in
     *                different cases), values in order
     * @param body the body, or null when it is longer than the server's limit (unread beyond it)
     */
    public record Exchange(String method, String path, String rawQuery, String protocol,
                           Map<String, List<String>> headers, String remoteAddress, byte[] body) {
        /** The first value of a header, its name in any case; null when absent. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                if (header.getKey().equalsIgnoreCase(name) && !header.getValue().isEmpty()) {
                    return header.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** The answer: a status, headers (a name with several values is sent as several lines) and a body. */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        public static Answer of(int status, Map<String, String> headers, byte[] body) {
            Map<String, List<String>> multi = new LinkedHashMap<>();
            headers.forEach((name, value) -> multi.put(name, List.of(value)));
            return new Answer(status, multi, body);
        }
    }

    /** What a handler does with a request; it runs on one of the server's threads and may block. */
    @FunctionalInterface
    public interface Handler {
        Answer handle(Exchange exchange) throws IOException;
    }

    /**
     * The answer to a request the server refused before any handler saw it: a request line or path it cannot read
     * ({@code 400}), a request line or headers over the limit ({@code 414}, {@code 431}).
     */
    @FunctionalInterface
    public interface Refusal {
        Answer refuse(int status, String reason);

        /** {@code {"message": reason}}, as AWS's endpoints answer. */
        Refusal JSON_MESSAGE = (status, reason) -> Answer.of(status, Map.of("Content-Type", "application/json"),
                Json.write(Json.object().put("message", reason)).getBytes(StandardCharsets.UTF_8));
    }

    private final Server server;
    private final ServerConnector connector;

    private LocalHttpServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts a server on {@code 127.0.0.1}.
     *
     * @param name names the server's threads
     * @param port the port, 0 for a free one
     * @param threads requests handled at once (connections are not bounded by it: an idle one holds no thread)
     * @param maxBodyBytes the longest body read; a longer one reaches the handler as null
     */
    public static LocalHttpServer start(String name, int port, int threads, int maxBodyBytes, Handler handler) {
        return start(name, port, threads, maxBodyBytes, handler, Refusal.JSON_MESSAGE);
    }

    /** As {@link #start(String, int, int, int, Handler)}, the server's own refusals answered by {@code refusal}. */
    public static LocalHttpServer start(String name, int port, int threads, int maxBodyBytes, Handler handler,
                                        Refusal refusal) {
        QueuedThreadPool pool = new QueuedThreadPool(threads + 4, 2);
        pool.setName(name);
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEAD_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // Paths are the handler's to judge (API Gateway matches routes, the functions validate ids): Jetty's
        // default refuses some encodings, such as %2F, before any handler sees them.
        http.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(1024);
        connector.setAcceptedTcpNoDelay(true);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(new Adapter(handler, maxBodyBytes)));
        server.setErrorHandler(new Refusals(refusal));
        server.setStopAtShutdown(false);
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the " + name + " server on 127.0.0.1:" + port + ": "
                    + e.getMessage(), e);
        }
        return new LocalHttpServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Stops taking connections, lets the requests being answered finish for up to {@code grace} (their responses
     * carry {@code Connection: close}), then closes every connection.
     */
    public void stop(Duration grace) {
        server.setStopTimeout(grace.toMillis());
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("the HTTP server did not stop cleanly", e, "port", port());
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(2));
    }

    /** Jetty's request and response to and from the handler's plain records. */
    private static final class Adapter extends org.eclipse.jetty.server.Handler.Abstract {
        private final Handler handler;
        private final int maxBodyBytes;

        Adapter(Handler handler, int maxBodyBytes) {
            this.handler = handler;
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback)
                throws IOException {
            // Read up to the limit whatever the Content-Length says, as a client expects its answer after its body:
            // the rest of a longer body is left to Jetty, which closes the connection after the answer.
            byte[] body = org.eclipse.jetty.server.Request.asInputStream(request).readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                body = null;
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            Map<String, String> spelling = new LinkedHashMap<>();
            for (HttpField field : request.getHeaders()) {
                String key = spelling.computeIfAbsent(field.getLowerCaseName(), k -> field.getName());
                headers.computeIfAbsent(key, k -> new ArrayList<>()).add(field.getValue());
            }
            SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
            Exchange exchange = new Exchange(request.getMethod(), path(request.getHttpURI().getPath()),
                    request.getHttpURI().getQuery(), request.getConnectionMetaData().getProtocol(), headers,
                    remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "127.0.0.1",
                    body);
            send(handler.handle(exchange), response, callback);
            return true;
        }

        /** The path decoded as the JDK's {@link URI} decodes it (the raw path when it is not a valid URI path). */
        private static String path(String raw) {
            try {
                return new URI(raw).getPath();
            } catch (URISyntaxException e) {
                return raw;
            }
        }
    }

    private static void send(Answer answer, Response response, Callback callback) {
        response.setStatus(answer.status());
        HttpFields.Mutable out = response.getHeaders();
        answer.headers().forEach((name, values) -> values.forEach(value -> out.add(name, value)));
        out.put(HttpHeader.CONTENT_LENGTH, answer.body().length);
        response.write(true, ByteBuffer.wrap(answer.body()), callback);
    }

    /** Jetty's own answers (a request it cannot read, a head over the limit) through the server's {@link Refusal}. */
    private static final class Refusals extends ErrorHandler {
        private final Refusal refusal;

        Refusals(Refusal refusal) {
            this.refusal = refusal;
        }

        @Override
        protected void generateResponse(org.eclipse.jetty.server.Request request, Response response, int code,
                                        String message, Throwable cause, Callback callback) {
            Throwable root = cause;
            while (root != null && root.getCause() != null) {
                root = root.getCause();
            }
            String reason = root != null && root.getMessage() != null ? root.getMessage()
                    : message == null || message.isBlank() ? "Bad Request" : message;
            // Jetty ends the connection after refusing a request it could not read (the rest of it, a body say,
            // would be read as the next request): say so, or a client reuses the connection and its next request
            // gets no answer at all (BadInputIT saw "header parser received no bytes" after POST /%00).
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            send(refusal.refuse(code, reason), response, callback);
        }
    }
}
