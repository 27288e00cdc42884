package dev.conveyor.store.jdbc;

import dev.conveyor.store.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/** Applies {@link Migrations} over a JDBC connection. */
public final class JdbcMigrator {
    private JdbcMigrator() {
    }

    /** Connects, migrates, disconnects; returns the files applied. */
    public static List<String> migrate(String url, Properties properties) {
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            return migrate(connection);
        } catch (SQLException e) {
            throw ConnectionPool.translate(e);
        }
    }

    public static List<String> migrate(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            List<String> applied = Migrations.apply(new Migrations.Transaction() {
                @Override
                public void execute(String sql) {
                    try {
                        statement.execute(sql);
                    } catch (SQLException e) {
                        throw ConnectionPool.translate(e);
                    }
                }

                @Override
                public Set<Integer> integers(String sql) {
                    Set<Integer> values = new HashSet<>();
                    try (ResultSet rs = statement.executeQuery(sql)) {
                        while (rs.next()) {
                            values.add(rs.getInt(1));
                        }
                    } catch (SQLException e) {
                        throw ConnectionPool.translate(e);
                    }
                    return values;
                }
            });
            connection.commit();
            return applied;
        } catch (RuntimeException | SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }
}
