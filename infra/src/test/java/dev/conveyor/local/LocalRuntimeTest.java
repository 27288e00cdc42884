package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * A test class that talks to one local runtime started from template.yaml for the whole class, on free ports and
 * a fresh data directory, and stopped after it; on the JDBC store unless the class says otherwise with
 * {@link OnStore}.
 */
abstract class LocalRuntimeTest {
    static LocalRuntime runtime;
    static Http http;

    @BeforeAll
    static void startRuntime(TestInfo test) {
        String store = test.getTestClass().map(c -> c.getAnnotation(OnStore.class)).map(OnStore::value).orElse("jdbc");
        runtime = LocalRuntimeFixture.start(LocalRuntimeFixture.tempDirectory(), Map.of("Store", store));
        assertEquals(store, runtime.store());
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
