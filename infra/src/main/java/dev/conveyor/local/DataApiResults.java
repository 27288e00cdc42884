package dev.conveyor.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.json.Json;
import dev.conveyor.store.dataapi.DataApiTimestamps;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;

/**
 * A result set as the Data API returns it: each value a {@code Field} ({@code longValue} for integers,
 * {@code doubleValue} for floating point, {@code booleanValue}, {@code blobValue}, {@code arrayValue}, and
 * {@code stringValue} for everything else, numeric included unless {@code decimalReturnType} is
 * {@code DOUBLE_OR_LONG}; {@code isNull} for NULL), timestamps in {@link DataApiTimestamps}' form; the columns'
 * metadata when asked; or, with {@code formatRecordsAs: JSON}, the rows as one JSON string of objects (and no
 * metadata).
 * AWS's limits hold too: 64 KB a row, 1 MiB an answer.
 */
final class DataApiResults {
    static final int MAX_ROW_BYTES = 64 * 1024;
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** How to return values: the request's {@code resultSetOptions}. */
    record Options(boolean decimalAsNumber, boolean longAsString) {
        static Options of(JsonNode resultSetOptions) {
            return new Options(resultSetOptions.path("decimalReturnType").asText("STRING").equals("DOUBLE_OR_LONG"),
                    resultSetOptions.path("longReturnType").asText("LONG").equals("STRING"));
        }
    }

    private DataApiResults() {
    }

    /** Adds the result set to {@code response}: {@code records} or {@code formattedRecords}, and the metadata. */
    static void write(ResultSet rs, ObjectNode response, boolean metadata, boolean json, Options options)
            throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int columns = meta.getColumnCount();
        ArrayNode records = NODES.arrayNode();
        ArrayNode formatted = NODES.arrayNode();
        long size = 0;
        while (rs.next()) {
            ArrayNode record = records.addArray();
            for (int i = 1; i <= columns; i++) {
                record.add(field(rs, meta, i, options));
            }
            int bytes = Json.write(record).getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_ROW_BYTES) {
                throw DataApiError.badRequest("Packet for query is too large: a row of " + bytes
                        + " bytes is over the Data API's limit of 64 KB");
            }
            size += bytes;
            if (size > MAX_RESPONSE_BYTES) {
                throw DataApiError.badRequest("Database returned more than the allowed response size limit");
            }
            if (json) {
                ObjectNode row = formatted.addObject();
                for (int i = 1; i <= columns; i++) {
                    row.set(meta.getColumnLabel(i), plain(record.get(i - 1)));
                }
            }
        }
        if (json) {
            response.put("formattedRecords", Json.write(formatted));
        } else {
            response.set("records", records);
        }
        if (metadata && !json) { // AWS leaves columnMetadata blank for formatRecordsAs JSON
            ArrayNode columnMetadata = response.putArray("columnMetadata");
            for (int i = 1; i <= columns; i++) {
                columnMetadata.addObject()
                        .put("name", meta.getColumnName(i))
                        .put("type", meta.getColumnType(i))
                        .put("typeName", meta.getColumnTypeName(i))
                        .put("label", meta.getColumnLabel(i))
                        .put("schemaName", meta.getSchemaName(i))
                        .put("tableName", meta.getTableName(i))
                        .put("isAutoIncrement", meta.isAutoIncrement(i))
                        .put("isSigned", meta.isSigned(i))
                        .put("isCurrency", meta.isCurrency(i))
                        .put("isCaseSensitive", meta.isCaseSensitive(i))
                        .put("nullable", meta.isNullable(i))
                        .put("precision", meta.getPrecision(i))
                        .put("scale", meta.getScale(i))
                        .put("arrayBaseColumnType", 0);
            }
        }
    }

    private static ObjectNode field(ResultSet rs, ResultSetMetaData meta, int i, Options options)
            throws SQLException {
        ObjectNode field = NODES.objectNode();
        Object value = rs.getObject(i);
        if (value == null) {
            return field.put("isNull", true);
        }
        switch (meta.getColumnType(i)) {
            case Types.BIT, Types.BOOLEAN -> field.put("booleanValue", rs.getBoolean(i));
            case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
                if (options.longAsString()) {
                    field.put("stringValue", Long.toString(rs.getLong(i)));
                } else {
                    field.put("longValue", rs.getLong(i));
                }
            }
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> field.put("doubleValue", rs.getDouble(i));
            case Types.NUMERIC, Types.DECIMAL -> {
                BigDecimal decimal = rs.getBigDecimal(i);
                if (!options.decimalAsNumber()) {
                    field.put("stringValue", decimal.toPlainString());
                } else if (decimal.scale() <= 0) {
                    field.put("longValue", decimal.longValueExact());
                } else {
                    field.put("doubleValue", decimal.doubleValue());
                }
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY ->
                    field.put("blobValue", Base64.getEncoder().encodeToString(rs.getBytes(i)));
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> field.put("stringValue", timestamp(rs, meta, i));
            case Types.ARRAY -> field.set("arrayValue", array(rs.getArray(i)));
            default -> field.put("stringValue", rs.getString(i));
        }
        return field;
    }

    private static String timestamp(ResultSet rs, ResultSetMetaData meta, int i) throws SQLException {
        if (meta.getColumnTypeName(i).equals("timestamptz")) {
            OffsetDateTime at = rs.getObject(i, OffsetDateTime.class);
            return DataApiTimestamps.format(at.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
        }
        return DataApiTimestamps.format(rs.getObject(i, LocalDateTime.class));
    }

    private static ObjectNode array(Array array) throws SQLException {
        ObjectNode value = NODES.objectNode();
        Object[] elements = (Object[]) array.getArray();
        if (elements.length > 0 && elements[0] instanceof Object[]) {
            throw DataApiError.badRequest("Nested arrays are not supported in this local endpoint");
        }
        ArrayNode values;
        if (elements.length > 0 && (elements[0] instanceof Long || elements[0] instanceof Integer
                || elements[0] instanceof Short)) {
            values = value.putArray("longValues");
            for (Object e : elements) {
                values.add(((Number) e).longValue());
            }
        } else if (elements.length > 0 && (elements[0] instanceof Double || elements[0] instanceof Float)) {
            values = value.putArray("doubleValues");
            for (Object e : elements) {
                values.add(((Number) e).doubleValue());
            }
        } else if (elements.length > 0 && elements[0] instanceof Boolean) {
            values = value.putArray("booleanValues");
            for (Object e : elements) {
                values.add((Boolean) e);
            }
        } else {
            values = value.putArray("stringValues");
            for (Object e : elements) {
                values.add(e == null ? null : e.toString());
            }
        }
        return value;
    }

    /** A field as {@code formattedRecords} has it: the bare value. */
    private static JsonNode plain(JsonNode field) {
        if (field.has("isNull")) {
            return NODES.nullNode();
        }
        JsonNode array = field.get("arrayValue");
        if (array != null) {
            return array.elements().next();
        }
        return field.elements().next();
    }
}
