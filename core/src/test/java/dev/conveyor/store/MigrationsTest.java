package dev.conveyor.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationsTest {
    @Test
    void everyMigrationFileIsListedInOrder() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .sorted((a, b) -> Integer.compare(Migrations.version(a), Migrations.version(b)))
                    .toList();
            assertEquals(names, Migrations.FILES);
        }
    }

    @Test
    void scriptsSplitAtTopLevelSemicolonsOnly() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE t (a text DEFAULT 'x;y');
                CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE NOTICE 'one; two';
                    RETURN NULL;
                END
                $$;
                /* block; comment */ SELECT 1
                """;
        List<String> statements = SqlScript.statements(script);

        assertEquals(3, statements.size(), statements.toString());
        assertEquals("CREATE TABLE t (a text DEFAULT 'x;y')", statements.get(0));
        assertEquals(true, statements.get(1).contains("RAISE NOTICE 'one; two';"));
        assertEquals("SELECT 1", statements.get(2));
    }

    @Test
    void theFirstMigrationSplitsIntoWholeStatements() {
        List<String> statements = SqlScript.statements(Migrations.read("V1__jobs.sql"));
        assertEquals(true, statements.stream().anyMatch(s -> s.startsWith("CREATE FUNCTION jobs_record_transition")
                && s.endsWith("$$")));
        assertEquals(true, statements.stream().allMatch(s -> !s.isBlank()));
    }
}
