package dev.conveyor.local;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class that talks to one local runtime started from template.yaml for the whole class, on free ports and
 * a fresh data directory, and stopped after it.
 */
abstract class LocalRuntimeTest {
    static LocalRuntime runtime;
    static Http http;

    @BeforeAll
    static void startRuntime() {
        runtime = LocalRuntimeFixture.start(LocalRuntimeFixture.tempDirectory(), Map.of());
        http = new Http(runtime.url(), runtime.apiKey());
    }

    @AfterAll
    static void stopRuntime() {
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }
}
