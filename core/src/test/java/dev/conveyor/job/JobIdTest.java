package dev.conveyor.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobIdTest {
    @Test
    void newIdsAreVersion7AndSortByTime() {
        JobId earlier = JobId.newId(Instant.parse("2026-01-01T00:00:00Z"));
        JobId later = JobId.newId(Instant.parse("2026-01-01T00:00:01Z"));
        assertEquals(7, earlier.value().version());
        assertEquals(2, earlier.value().variant());
        assertTrue(earlier.toString().compareTo(later.toString()) < 0);
    }

    @Test
    void parseTakesOnlyTheCanonicalForm() {
        String text = "0190b4a4-7c1e-7a53-9f4e-2b9d2c1e5f00";
        assertEquals(text, JobId.parse(text).toString());
        assertEquals(text, JobId.parse(text.toUpperCase()).toString());
        for (String bad : new String[] {"", "1-2-3-4-5", "0190b4a47c1e7a539f4e2b9d2c1e5f00", text + "0",
                "0190b4a4-7c1e-7a53-9f4e-2b9d2c1e5fzz", "0190b4a4+7c1e-7a53-9f4e-2b9d2c1e5f00"}) {
            assertThrows(IllegalArgumentException.class, () -> JobId.parse(bad), bad);
        }
    }
}
