package dev.conveyor.store.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamedSqlTest {
    @Test
    void namesBecomePositionalParameters() {
        NamedSql sql = NamedSql.parse("UPDATE jobs SET a = :now, b = :now WHERE id = :id");
        assertEquals("UPDATE jobs SET a = ?, b = ? WHERE id = ?", sql.jdbcSql());
        assertEquals(List.of("now", "now", "id"), sql.names());
    }

    @Test
    void castsAreNotParameters() {
        NamedSql sql = NamedSql.parse("SELECT :a::uuid, x::text, CAST(:b AS jsonb)");
        assertEquals("SELECT ?::uuid, x::text, CAST(? AS jsonb)", sql.jdbcSql());
        assertEquals(List.of("a", "b"), sql.names());
    }

    @Test
    void quotesCommentsAndDollarBodiesAreLeftAlone() {
        String text = "SELECT ':no', \"col:no\", $$ :no $$, $tag$ :no $tag$ -- :no\n, /* :no /* :no */ */ :yes";
        NamedSql sql = NamedSql.parse(text);
        assertEquals(List.of("yes"), sql.names());
        assertEquals(text.replace(":yes", "?"), sql.jdbcSql());
    }

    @Test
    void escapedQuotesStayInsideTheLiteral() {
        NamedSql sql = NamedSql.parse("SELECT 'it''s :no', :yes");
        assertEquals(List.of("yes"), sql.names());
    }

    @Test
    void aBackslashEscapesAQuoteInAnEscapeStringOnly() {
        NamedSql sql = NamedSql.parse("SELECT E'it\\'s :no', e'\\\\', :yes, 'C:\\', :also");
        assertEquals(List.of("yes", "also"), sql.names());
    }

    @Test
    void positionalDollarParametersAreNotDollarQuotes() {
        NamedSql sql = NamedSql.parse("SELECT $1, :a");
        assertEquals(List.of("a"), sql.names());
    }
}
