package dev.conveyor.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.json.Json;
import dev.conveyor.store.SqlJobStore;
import dev.conveyor.store.sql.NamedSql;
import dev.conveyor.store.sql.Row;
import dev.conveyor.store.sql.SqlParams;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.util.PGobject;

/** The job store over JDBC: RDS, RDS Proxy, or the local runtime's embedded PostgreSQL. */
public final class JdbcJobStore extends SqlJobStore {
    private final ConnectionPool pool;
    private final Map<String, NamedSql> statements = new ConcurrentHashMap<>();

    public JdbcJobStore(ConnectionPool pool) {
        this.pool = pool;
    }

    /**
     * A store with its own pool.
     *
     * @param url a {@code jdbc:postgresql:} URL
     */
    public static JdbcJobStore connect(String url, String user, String password, int poolSize) {
        return connect(url, LoginSource.fixed(user, password), poolSize);
    }

    /** A store with its own pool, whose login is read again when the database refuses it. */
    public static JdbcJobStore connect(String url, LoginSource logins, int poolSize) {
        return new JdbcJobStore(new ConnectionPool(url, connectionSettings(), logins, poolSize, 10_000));
    }

    /** Driver settings and a login for Conveyor's connections. */
    public static Properties connectionProperties(String user, String password) {
        Properties properties = connectionSettings();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        return properties;
    }

    /** Driver settings for Conveyor's connections. */
    public static Properties connectionSettings() {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("socketTimeout", "30");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "conveyor");
        // `id = ANY(?)` prepared on a young table keeps a sequential-scan generic plan as the table grows.
        properties.setProperty("options", "-c plan_cache_mode=force_custom_plan -c TimeZone=UTC");
        return properties;
    }

    @Override
    public void reconnect() {
        pool.reconnect();
    }

    @Override
    protected List<Row> query(String sql, SqlParams params) {
        NamedSql named = statements.computeIfAbsent(sql, NamedSql::parse);
        return pool.with(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(named.jdbcSql())) {
                bind(statement, named, params);
                try (ResultSet rs = statement.executeQuery()) {
                    List<Row> rows = new ArrayList<>();
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        Map<String, Object> values = new HashMap<>(columns * 2);
                        for (int i = 1; i <= columns; i++) {
                            values.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                        }
                        rows.add(new JdbcRow(values));
                    }
                    return rows;
                }
            }
        });
    }

    @Override
    protected int update(String sql, SqlParams params) {
        NamedSql named = statements.computeIfAbsent(sql, NamedSql::parse);
        return pool.with(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(named.jdbcSql())) {
                bind(statement, named, params);
                return statement.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement statement, NamedSql named, SqlParams params) throws SQLException {
        for (int i = 0; i < named.names().size(); i++) {
            SqlParams.Value value = params.get(named.names().get(i));
            int index = i + 1;
            Object v = value.value();
            switch (value.type()) {
                case TEXT -> statement.setString(index, (String) v);
                case UUID -> statement.setObject(index, v, Types.OTHER);
                case JSON -> statement.setObject(index, v == null ? null : jsonb((JsonNode) v), Types.OTHER);
                case TIMESTAMP -> {
                    if (v == null) {
                        statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
                    } else {
                        statement.setObject(index, OffsetDateTime.ofInstant((Instant) v, ZoneOffset.UTC));
                    }
                }
                case INTEGER -> statement.setObject(index, v, Types.INTEGER);
                case BIGINT -> statement.setObject(index, v, Types.BIGINT);
                case DOUBLE -> statement.setObject(index, v, Types.DOUBLE);
            }
        }
    }

    private static PGobject jsonb(JsonNode node) throws SQLException {
        PGobject object = new PGobject();
        object.setType("jsonb");
        object.setValue(Json.write(node));
        return object;
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A row read eagerly, so that the connection goes back to the pool before the caller looks at it. */
    private record JdbcRow(Map<String, Object> values) implements Row {
        @Override
        public String text(String column) {
            Object v = values.get(column);
            return v == null ? null : v.toString();
        }

        @Override
        public UUID uuid(String column) {
            return (UUID) values.get(column);
        }

        @Override
        public Integer integer(String column) {
            Object v = values.get(column);
            return v == null ? null : ((Number) v).intValue();
        }

        @Override
        public Long bigint(String column) {
            Object v = values.get(column);
            return v == null ? null : ((Number) v).longValue();
        }

        @Override
        public Double float8(String column) {
            Object v = values.get(column);
            return v == null ? null : ((Number) v).doubleValue();
        }

        @Override
        public Instant timestamp(String column) {
            Object v = values.get(column);
            return v == null ? null : ((java.sql.Timestamp) v).toInstant();
        }

        @Override
        public JsonNode json(String column) {
            Object v = values.get(column);
            return v == null ? null : Json.parse(v.toString());
        }
    }
}
