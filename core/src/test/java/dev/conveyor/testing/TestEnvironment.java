package dev.conveyor.testing;

import java.util.HashMap;
import java.util.Map;

/** The environment a function gets in tests: a fresh database and queue pair, and the AWS settings to reach them. */
public final class TestEnvironment {
    private TestEnvironment() {
    }

    public static Map<String, String> of(TestDatabase db, TestQueues.QueuePair queues) {
        Map<String, String> env = new HashMap<>(TestQueues.environment());
        env.put("CONVEYOR_DB_URL", db.jdbcUrl());
        env.put("CONVEYOR_DB_USER", db.user());
        env.put("CONVEYOR_QUEUE_URL", queues.url());
        env.put("CONVEYOR_DLQ_URL", queues.deadLetterUrl());
        env.put("CONVEYOR_LOG_LEVEL", "WARN");
        return env;
    }
}
