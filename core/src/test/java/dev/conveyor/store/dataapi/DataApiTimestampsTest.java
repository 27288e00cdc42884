package dev.conveyor.store.dataapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DataApiTimestampsTest {
    @Test
    void formatsUtcToTheMicrosecondAsTheTimestampHintWants() {
        assertEquals("2026-03-01 12:00:00.123456",
                DataApiTimestamps.format(Instant.parse("2026-03-01T12:00:00.123456Z")));
        assertEquals("2026-03-01 12:00:00.1", DataApiTimestamps.format(Instant.parse("2026-03-01T12:00:00.100Z")));
        assertEquals("2026-03-01 12:00:00", DataApiTimestamps.format(Instant.parse("2026-03-01T12:00:00Z")));
    }

    @Test
    void roundsNanosecondsHalfUpAsTheJdbcDriverDoes() {
        assertEquals("2026-03-01 12:00:00.000002",
                DataApiTimestamps.format(Instant.parse("2026-03-01T12:00:00.0000015Z")));
        assertEquals("2026-03-01 12:00:00.000001",
                DataApiTimestamps.format(Instant.parse("2026-03-01T12:00:00.0000014Z")));
        assertEquals("2026-03-01 12:00:01", DataApiTimestamps.format(Instant.parse("2026-03-01T12:00:00.9999996Z")));
    }

    @Test
    void parsesWithOrWithoutAFractionAndAnOffset() {
        Instant at = Instant.parse("2026-03-01T12:00:00.123456Z");
        assertEquals(at, DataApiTimestamps.parse("2026-03-01 12:00:00.123456"));
        assertEquals(at, DataApiTimestamps.parse("2026-03-01 12:00:00.123456+00"));
        assertEquals(at, DataApiTimestamps.parse("2026-03-01 14:00:00.123456+02:00"));
        assertEquals(Instant.parse("2026-03-01T12:00:00Z"), DataApiTimestamps.parse("2026-03-01 12:00:00"));
    }
}
