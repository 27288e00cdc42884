package dev.conveyor.store.dataapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import dev.conveyor.store.sql.Row;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.rdsdata.model.Field;

/**
 * One record of an {@code ExecuteStatement} answer, by column label. The Data API sends integers as
 * {@code longValue}, floating-point numbers as {@code doubleValue}, and everything else PostgreSQL has (text, uuid,
 * jsonb, timestamptz, numeric) as {@code stringValue}; SQL NULL as {@code isNull}.
 */
record DataApiRow(Map<String, Field> fields) implements Row {
    @Override
    public String text(String column) {
        Field f = field(column);
        if (f == null) {
            return null;
        }
        return switch (f.type()) {
            case STRING_VALUE -> f.stringValue();
            case LONG_VALUE -> f.longValue().toString();
            case DOUBLE_VALUE -> f.doubleValue().toString();
            case BOOLEAN_VALUE -> f.booleanValue().toString();
            default -> throw unexpected(column, f);
        };
    }

    @Override
    public UUID uuid(String column) {
        String text = text(column);
        return text == null ? null : UUID.fromString(text);
    }

    @Override
    public Integer integer(String column) {
        Long value = bigint(column);
        return value == null ? null : Math.toIntExact(value);
    }

    @Override
    public Long bigint(String column) {
        Field f = field(column);
        if (f == null) {
            return null;
        }
        return switch (f.type()) {
            case LONG_VALUE -> f.longValue();
            case STRING_VALUE -> Long.valueOf(f.stringValue()); // a numeric column, or longReturnType STRING
            default -> throw unexpected(column, f);
        };
    }

    @Override
    public Double float8(String column) {
        Field f = field(column);
        if (f == null) {
            return null;
        }
        return switch (f.type()) {
            case DOUBLE_VALUE -> f.doubleValue();
            case LONG_VALUE -> f.longValue().doubleValue();
            case STRING_VALUE -> Double.valueOf(f.stringValue());
            default -> throw unexpected(column, f);
        };
    }

    @Override
    public Instant timestamp(String column) {
        String text = text(column);
        return text == null ? null : DataApiTimestamps.parse(text);
    }

    @Override
    public JsonNode json(String column) {
        String text = text(column);
        return text == null ? null : Json.parse(text);
    }

    /** The column's field, or null for SQL NULL; a column the statement does not return is a bug. */
    private Field field(String column) {
        Field f = fields.get(column);
        if (f == null) {
            throw new IllegalArgumentException("no column " + column + " in " + fields.keySet());
        }
        return Boolean.TRUE.equals(f.isNull()) ? null : f;
    }

    private static IllegalStateException unexpected(String column, Field f) {
        return new IllegalStateException("column " + column + " came back as " + f.type() + ": " + f);
    }
}
