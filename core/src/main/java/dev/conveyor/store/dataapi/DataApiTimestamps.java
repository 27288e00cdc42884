package dev.conveyor.store.dataapi;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

/**
 * Timestamps as the RDS Data API writes them: {@code YYYY-MM-DD HH:MM:SS[.FFFFFF]}, with no zone, meaning UTC.
 * The API takes a {@code TIMESTAMP} parameter only in that form, and returns {@code timestamp} and
 * {@code timestamptz} columns in it (the session's time zone, UTC on Aurora unless the cluster says otherwise).
 */
public final class DataApiTimestamps {
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .appendFraction(ChronoField.MICRO_OF_SECOND, 0, 6, true)
            .toFormatter();

    /** Reads an offset too ({@code +00}, {@code +00:00}), should a column ever come back with one. */
    private static final DateTimeFormatter PARSE = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:mm", "Z").optionalEnd()
            .optionalStart().appendOffset("+HH", "Z").optionalEnd()
            .toFormatter();

    private DataApiTimestamps() {
    }

    /**
     * The instant in UTC, to the microsecond PostgreSQL keeps, rounded half up as the JDBC driver rounds it, so
     * that both stores write the same value.
     */
    public static String format(Instant instant) {
        Instant micros = instant.plusNanos(500).truncatedTo(ChronoUnit.MICROS);
        return FORMAT.format(LocalDateTime.ofInstant(micros, ZoneOffset.UTC));
    }

    /** A local date-time in the same form, for the local endpoint's {@code timestamp} columns. */
    public static String format(LocalDateTime dateTime) {
        return FORMAT.format(dateTime);
    }

    public static Instant parse(String text) {
        var parsed = PARSE.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
        return parsed instanceof OffsetDateTime offset ? offset.toInstant()
                : ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    }
}
