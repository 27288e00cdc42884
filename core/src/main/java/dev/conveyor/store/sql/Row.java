package dev.conveyor.store.sql;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** One row of a result, read by column name; each getter returns null for SQL NULL. */
public interface Row {
    String text(String column);

    UUID uuid(String column);

    Integer integer(String column);

    Long bigint(String column);

    Double float8(String column);

    Instant timestamp(String column);

    JsonNode json(String column);
}
