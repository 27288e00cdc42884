package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A database password rotated while the runtime runs reaches the running functions without a restart: the
 * password of the functions' role changes on the server and in its Secrets Manager secret, their connections are
 * cut (as RDS Proxy or a failover would), and a function refused at its next connection reads the secret again and
 * reconnects. Submissions go on throughout: at most one fails (one in flight on a cut connection), and every job
 * accepted runs.
 */
class PasswordRotationIT {

    @Test
    void aRotatedPasswordReachesRunningFunctionsWithoutLosingAJob() throws Exception {
        try (LocalRuntime runtime = LocalRuntimeFixture.start(LocalRuntimeFixture.tempDirectory(), Map.of())) {
            Http http = new Http(runtime.url(), runtime.apiKey());
            ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
            List<Http.Response> failed = new ArrayList<>();
            AtomicBoolean submitting = new AtomicBoolean(true);
            Thread client = new Thread(() -> {
                while (submitting.get()) {
                    Http.Response response = http.postJson("/jobs",
                            "{\"type\": \"echo\", \"payload\": {\"message\": \"rotation\"}}");
                    if (response.status() == 202) {
                        accepted.add(response.json().path("id").asText());
                    } else {
                        synchronized (failed) {
                            failed.add(response);
                        }
                    }
                    sleep(50);
                }
            }, "rotation-client");
            client.start();
            sleep(2000);
            int before = accepted.size();
            String oldPassword = runtime.postgres().appPassword();

            runtime.rotateDatabasePassword();
            int cut = terminateFunctionConnections(runtime);
            sleep(3000);
            submitting.set(false);
            client.join();

            assertTrue(cut > 0, "the functions held connections to cut");
            assertTrue(!oldPassword.equals(runtime.postgres().appPassword()));
            assertTrue(accepted.size() >= before + 5, "submissions went on after the rotation: " + before + " then "
                    + accepted.size());
            assertTrue(failed.size() <= 1, "more than one failed call: " + failed);
            for (String id : accepted) {
                EndToEndIT.awaitState(http, id, "SUCCESS", Duration.ofSeconds(30), new ArrayList<>());
            }
            assertTrue(functionConnections(runtime) > 0, "the functions reconnected with the new password");
            System.out.printf("password rotation: %d accepted (%d before), %d failed%n", accepted.size(), before,
                    failed.size());
        }
    }

    /** Ends every session of the functions' role, as a failover or RDS Proxy's idle cut would. */
    private static int terminateFunctionConnections(LocalRuntime runtime) throws SQLException {
        return count(runtime, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '"
                + LocalPostgres.APP_USER + "'");
    }

    private static int functionConnections(LocalRuntime runtime) throws SQLException {
        return count(runtime, "SELECT count(*) FROM pg_stat_activity WHERE usename = '" + LocalPostgres.APP_USER + "'");
    }

    private static int count(LocalRuntime runtime, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(runtime.jdbcUrl(), LocalPostgres.USER, "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
