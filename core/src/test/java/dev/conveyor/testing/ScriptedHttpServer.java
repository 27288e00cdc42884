package dev.conveyor.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP server on a free local port that answers every request from a script, in order, the last answer again
 * once the script runs out; and keeps what it received. For what AWS can answer and the local stand-ins cannot:
 * 5xx, throttling, the container credentials endpoint, Secrets Manager.
 */
public final class ScriptedHttpServer implements AutoCloseable {

    /** An answer to give: status, headers, body. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer json(int status, String body) {
            return new Answer(status, Map.of("Content-Type", "application/x-amz-json-1.0"), body);
        }
    }

    /** A request as it came over the wire. */
    public record Received(String method, String path, Headers headers, byte[] body) {
        /** The header's first value, its name in any case; null when absent. */
        public String header(String name) {
            return headers.getFirst(name);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpServer server;
    private final List<Answer> script;
    private final List<Received> received = new ArrayList<>();

    private ScriptedHttpServer(List<Answer> script) {
        this.script = script;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            Answer answer;
            synchronized (this) {
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes()));
                answer = script.get(Math.min(received.size(), script.size()) - 1);
            }
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            answer.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** A server answering {@code answers} in order, the last one from then on. */
    public static ScriptedHttpServer answering(Answer... answers) {
        if (answers.length == 0) {
            throw new IllegalArgumentException("a script needs at least one answer");
        }
        return new ScriptedHttpServer(List.of(answers));
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** The requests received so far, oldest first. */
    public synchronized List<Received> requests() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
