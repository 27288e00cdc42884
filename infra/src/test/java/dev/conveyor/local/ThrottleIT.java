package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The usage plan's throttle, as API Gateway applies it to the API key: 429 problems beyond the rate and burst. */
class ThrottleIT {
    private static final int RATE = 2;
    private static final int BURST = 4;
    private static LocalRuntime runtime;
    private static Http http;

    @BeforeAll
    static void start() {
        runtime = LocalRuntimeFixture.start(LocalRuntimeFixture.tempDirectory(),
                Map.of("ApiRateLimit", Integer.toString(RATE), "ApiBurstLimit", Integer.toString(BURST)));
        http = new Http(runtime.url(), runtime.apiKey());
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void requestsBeyondTheBurstAndRateAre429AndTheKeyRecovers() throws InterruptedException {
        Thread.sleep(1000L * BURST / RATE); // a full bucket, whatever the start-up asked of it
        long started = System.nanoTime();
        int passed = 0;
        int throttled = 0;
        for (int i = 0; i < 30; i++) {
            Http.Response response = http.get("/jobs?limit=1");
            if (response.status() == 429) {
                throttled++;
                assertEquals("application/problem+json", response.header("Content-Type").orElseThrow());
                assertEquals("1", response.header("Retry-After").orElseThrow());
                assertEquals(429, response.json().get("status").asInt(), response::toString);
            } else {
                assertEquals(200, response.status(), response::toString);
                passed++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(passed >= BURST, passed + " passed: the burst should pass");
        assertTrue(passed <= BURST + RATE * seconds + 1, passed + " passed in " + seconds + " s");
        assertEquals(30, passed + throttled);

        for (int i = 0; i < 10; i++) {
            assertEquals(200, http.withoutKey().get("/health").status(), "health is not the key's to throttle");
        }
        Thread.sleep(1000L / RATE + 100);
        assertEquals(200, http.get("/jobs?limit=1").status(), "the bucket refills at the rate");
    }
}
