package dev.conveyor.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The schema's versioned SQL files ({@code db/migration/V<n>__<name>.sql} on the classpath), applied in order, each
 * once, in one transaction under an advisory lock so that concurrent starters do not race. The same files serve
 * tests, the local runtime and deployments, over JDBC or the RDS Data API.
 */
public final class Migrations {
    /** Every migration, oldest first. A test checks that this list and the folder agree. */
    public static final List<String> FILES = List.of("V1__jobs.sql", "V2__jobs_autovacuum.sql", "V3__jobs_trace.sql",
            "V4__jobs_dashboard.sql");

    /** Holds the migration lock across concurrent starters. */
    static final long LOCK_KEY = 0x436f6e7665796f72L; // "Conveyor"

    private static final String HISTORY = """
            CREATE TABLE IF NOT EXISTS conveyor_schema_history (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())""";

    /** What migrations need of a database: statements in one transaction. */
    public interface Transaction {
        void execute(String sql);

        /** The integers in the first column of a query's rows. */
        Set<Integer> integers(String sql);
    }

    private Migrations() {
    }

    /**
     * Applies the migrations the database has not seen yet, inside {@code tx}.
     *
     * @return the names of the files applied now
     */
    public static List<String> apply(Transaction tx) {
        // As text: the lock function returns void, a type the RDS Data API has no field for.
        tx.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")::text");
        tx.execute(HISTORY);
        Set<Integer> applied = tx.integers("SELECT version FROM conveyor_schema_history");
        List<String> now = new ArrayList<>();
        for (String file : FILES) {
            int version = version(file);
            if (applied.contains(version)) {
                continue;
            }
            for (String statement : SqlScript.statements(read(file))) {
                tx.execute(statement);
            }
            tx.execute("INSERT INTO conveyor_schema_history (version, name) VALUES (" + version + ", '"
                    + file.replace("'", "''") + "')");
            now.add(file);
        }
        return now;
    }

    static int version(String file) {
        return Integer.parseInt(file.substring(1, file.indexOf("__")));
    }

    static String read(String file) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration not on the classpath: " + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
