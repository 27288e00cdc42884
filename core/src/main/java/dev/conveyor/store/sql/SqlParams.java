package dev.conveyor.store.sql;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Named, typed statement parameters. The type says how a value travels: JDBC binds it natively, the RDS Data API
 * sends it with the matching {@code typeHint}.
 */
public final class SqlParams {
    public enum Type { TEXT, UUID, JSON, TIMESTAMP, INTEGER, BIGINT, DOUBLE }

    /** One parameter; {@code value} is null for SQL NULL. */
    public record Value(Type type, Object value) {
    }

    private final Map<String, Value> values = new LinkedHashMap<>();

    public static SqlParams of() {
        return new SqlParams();
    }

    public SqlParams text(String name, String value) {
        return put(name, Type.TEXT, value);
    }

    public SqlParams uuid(String name, UUID value) {
        return put(name, Type.UUID, value);
    }

    public SqlParams json(String name, JsonNode value) {
        return put(name, Type.JSON, value);
    }

    public SqlParams timestamp(String name, Instant value) {
        return put(name, Type.TIMESTAMP, value);
    }

    public SqlParams integer(String name, Integer value) {
        return put(name, Type.INTEGER, value);
    }

    public SqlParams bigint(String name, Long value) {
        return put(name, Type.BIGINT, value);
    }

    public SqlParams float8(String name, Double value) {
        return put(name, Type.DOUBLE, value);
    }

    /** The parameter called {@code name}; a statement naming a parameter nobody gave is a bug. */
    public Value get(String name) {
        Value value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no value for parameter :" + name);
        }
        return value;
    }

    public Map<String, Value> asMap() {
        return values;
    }

    private SqlParams put(String name, Type type, Object value) {
        values.put(name, new Value(type, value));
        return this;
    }
}
