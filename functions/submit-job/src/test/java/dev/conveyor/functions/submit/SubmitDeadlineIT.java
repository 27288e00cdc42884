package dev.conveyor.functions.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.config.Env;
import dev.conveyor.functions.LambdaInvocations;
import dev.conveyor.json.Json;
import dev.conveyor.testing.TestQueues;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An AWS call that never answers must not hold an API function past its deadline: the Data API here accepts
 * connections on loopback and never answers, and submit-job must still answer 503 problem+json with Retry-After
 * before its invocation (here 4 s) ends, as it must before API Gateway's 29 s on AWS.
 */
class SubmitDeadlineIT {
    private final TestQueues.QueuePair queues = TestQueues.create(30, 10);
    private final ServerSocket silent;
    private final List<Socket> held = new ArrayList<>();

    SubmitDeadlineIT() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accepter = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = silent.accept();
                    synchronized (held) {
                        held.add(socket); // read nothing, answer nothing
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "silent-data-api");
        accepter.setDaemon(true);
        accepter.start();
    }

    @AfterEach
    void close() throws IOException {
        silent.close();
        synchronized (held) {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aDataApiThatNeverAnswersIsA503BeforeTheInvocationEnds() {
        Map<String, String> env = new HashMap<>(TestQueues.environment());
        env.put("CONVEYOR_STORE", "dataapi");
        env.put("CONVEYOR_DB_CLUSTER_ARN", "arn:aws:rds:us-east-1:000000000000:cluster:silent");
        env.put("CONVEYOR_DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:silent-AbCdEf");
        env.put("CONVEYOR_DB_NAME", "conveyor");
        env.put("AWS_ENDPOINT_URL_RDS_DATA", "http://127.0.0.1:" + silent.getLocalPort());
        env.put("CONVEYOR_QUEUE_URL", queues.url());
        env.put("CONVEYOR_DLQ_URL", queues.deadLetterUrl());
        env.put("CONVEYOR_LOG_LEVEL", "ERROR");
        SubmitJobHandler handler = Env.with(env, SubmitJobHandler::new);
        APIGatewayProxyRequestEvent event = EventLoader.loadApiGatewayRestEvent("submit-job-echo.json");

        long start = System.nanoTime();
        APIGatewayProxyResponseEvent response = Env.with(env, () -> LambdaInvocations.invoke(
                handler, event, APIGatewayProxyResponseEvent.class, "submit-job", 4));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(503, response.getStatusCode(), response::getBody);
        assertEquals("application/problem+json", response.getHeaders().get("Content-Type"));
        assertNotNull(response.getHeaders().get("Retry-After"));
        JsonNode problem = Json.parse(response.getBody());
        assertEquals(503, problem.path("status").asInt());
        assertTrue(seconds < 4, "answered after the invocation's 4 s: " + seconds + " s");
        assertTrue(seconds > 1.5, "gave up long before the deadline (2.5 s): " + seconds + " s");
    }
}
