package dev.conveyor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.job.JobId;
import dev.conveyor.job.JobQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobListingTest {
    private static final String ID = "01a207c6-dc6d-733e-a09e-7622527f8a06";

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1970-01-01T00:00:00Z", "2026-11-23T12:00:00.123456Z", "9999-12-31T23:59:59Z"})
    void aCursorRoundTrips(String time) {
        JobQuery.Position position = new JobQuery.Position(Instant.parse(time), JobId.parse(ID));
        assertEquals(position, JobListing.position(JobListing.cursor(position)).orElseThrow());
    }

    /** A forged cursor with a time PostgreSQL cannot hold was a 500 ("timestamp out of range"). */
    @ParameterizedTest
    @ValueSource(strings = {"+999999999-12-31T23:59:59Z", "+294277-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
        "-999999999-01-01T00:00:00Z", "-4714-11-23T00:00:00Z", "1969-12-31T23:59:59Z"})
    void aCursorNamingATimeNoJobWasCreatedAtIsRefused(String time) {
        assertTrue(JobListing.position(encode(time + "|" + ID)).isEmpty(), time);
    }

    private static ApiRequest list(String name, String value) {
        return new ApiRequest("GET", "/jobs", "/jobs", "", Map.of(), Map.of(name, List.of(value)), Map.of(), null,
                "request-1", null, null);
    }

    /** PostgreSQL refuses the NUL character in a text parameter: GET /jobs?type=%00 was a 500. */
    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "echo\u0000", "ec\nho", "\u001b[31m"})
    void aTypeWithAControlCharacterIsA400NamingType(String type) {
        ApiException refused = assertThrows(ApiException.class, () -> JobListing.query(list("type", type)));
        assertEquals(400, refused.status());
        assertEquals("type", refused.errors().get(0).field());
    }

    @Test
    void anyOtherTypeIsAFilter() {
        assertEquals("'; DROP TABLE jobs; --",
                JobListing.query(list("type", "'; DROP TABLE jobs; --")).filter().type().orElseThrow());
    }
}
