package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.store.sql.NamedSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.postgresql.util.PGobject;

/**
 * One statement of a Data API request, checked before any connection is taken: its {@code :name} parameters
 * replaced by JDBC's {@code ?} (not inside quotes, comments or dollar quotes, and not a {@code ::} cast), and each
 * value bound as the API binds it. A {@code stringValue} is bound as {@code varchar}, so that, as on AWS, comparing
 * it with a uuid or timestamp column is an error rather than a silent cast; a {@code typeHint} makes it that type
 * ({@code UUID}, {@code JSON}, {@code TIMESTAMP}, {@code DATE}, {@code TIME}, {@code DECIMAL}), parsed by
 * PostgreSQL; {@code longValue} is a {@code bigint}, {@code doubleValue} a {@code double precision}.
 */
final class DataApiStatement {
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern TIME = Pattern.compile("\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?");

    /** Binds one value to its position. */
    private interface Binder {
        void bind(PreparedStatement statement, int index) throws SQLException;
    }

    private final String jdbcSql;
    private final List<Binder> binders;

    private DataApiStatement(String jdbcSql, List<Binder> binders) {
        this.jdbcSql = jdbcSql;
        this.binders = binders;
    }

    /** The statement {@code sql} with the request's {@code parameters} (an array of {@code SqlParameter}). */
    static DataApiStatement of(String sql, JsonNode parameters) {
        NamedSql named = NamedSql.parse(sql);
        Map<String, Binder> byName = new HashMap<>();
        if (parameters != null && !parameters.isNull()) {
            for (JsonNode parameter : parameters) {
                String name = parameter.path("name").asText("");
                if (name.isEmpty()) {
                    throw DataApiError.badRequest("Parameter name must not be empty");
                }
                byName.put(name, binder(name, parameter.path("value"), parameter.path("typeHint").asText(null)));
            }
        }
        List<Binder> binders = new ArrayList<>(named.names().size());
        for (String name : named.names()) {
            Binder binder = byName.get(name);
            if (binder == null) {
                throw DataApiError.badRequest("No value specified for parameter: " + name);
            }
            binders.add(binder);
        }
        return new DataApiStatement(named.jdbcSql(), binders);
    }

    private static Binder binder(String name, JsonNode field, String typeHint) {
        if (field.path("isNull").asBoolean(false)) {
            return (s, i) -> s.setNull(i, Types.NULL);
        }
        JsonNode string = field.get("stringValue");
        if (typeHint != null) {
            if (string == null || !string.isTextual()) {
                throw DataApiError.badRequest("Type hint " + typeHint + " of parameter " + name
                        + " applies to a stringValue only");
            }
            return typed(name, typeHint, string.textValue());
        }
        if (string != null) {
            String value = string.asText();
            return (s, i) -> s.setString(i, value);
        }
        if (field.has("longValue")) {
            long value = field.get("longValue").asLong();
            return (s, i) -> s.setLong(i, value);
        }
        if (field.has("doubleValue")) {
            double value = field.get("doubleValue").asDouble();
            return (s, i) -> s.setDouble(i, value);
        }
        if (field.has("booleanValue")) {
            boolean value = field.get("booleanValue").asBoolean();
            return (s, i) -> s.setBoolean(i, value);
        }
        if (field.has("blobValue")) {
            byte[] value = Base64.getDecoder().decode(field.get("blobValue").asText());
            return (s, i) -> s.setBytes(i, value);
        }
        if (field.has("arrayValue")) {
            throw DataApiError.badRequest("Array parameters are not supported.");
        }
        throw DataApiError.badRequest("Parameter " + name + " has no value");
    }

    /** A string sent as another type: the format checked as AWS checks it, the value parsed by PostgreSQL. */
    private static Binder typed(String name, String typeHint, String value) {
        String type = switch (typeHint) {
            case "UUID" -> "uuid";
            case "JSON" -> "json";
            case "DECIMAL" -> "numeric";
            case "TIMESTAMP" -> checked(value, TIMESTAMP, "timestamp",
                    "Timestamp format must be yyyy-mm-dd hh:mm:ss[.fffffffff]");
            case "DATE" -> checked(value, DATE, "date", "Date format must be yyyy-mm-dd");
            case "TIME" -> checked(value, TIME, "time", "Time format must be hh:mm:ss[.fffffffff]");
            default -> throw DataApiError.badRequest("Unknown type hint " + typeHint + " for parameter " + name);
        };
        return (s, i) -> {
            PGobject object = new PGobject();
            object.setType(type);
            object.setValue(value);
            s.setObject(i, object);
        };
    }

    private static String checked(String value, Pattern format, String type, String message) {
        if (!format.matcher(value).matches()) {
            throw DataApiError.badRequest(message);
        }
        return type;
    }

    /** Prepares the statement on {@code connection} with every value bound. */
    PreparedStatement prepare(Connection connection) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(jdbcSql);
        try {
            for (int i = 0; i < binders.size(); i++) {
                binders.get(i).bind(statement, i + 1);
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }
}
