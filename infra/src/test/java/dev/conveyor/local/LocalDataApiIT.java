package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.config.Config;
import dev.conveyor.config.Wiring;
import dev.conveyor.json.Json;
import dev.conveyor.store.StoreException;
import dev.conveyor.store.dataapi.DataApiJobStore;
import dev.conveyor.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;
import software.amazon.awssdk.services.rdsdata.model.BadRequestException;
import software.amazon.awssdk.services.rdsdata.model.DatabaseErrorException;
import software.amazon.awssdk.services.rdsdata.model.ExecuteStatementRequest;
import software.amazon.awssdk.services.rdsdata.model.ExecuteStatementResponse;
import software.amazon.awssdk.services.rdsdata.model.Field;
import software.amazon.awssdk.services.rdsdata.model.HttpEndpointNotEnabledException;
import software.amazon.awssdk.services.rdsdata.model.RecordsFormatType;
import software.amazon.awssdk.services.rdsdata.model.SecretsErrorException;
import software.amazon.awssdk.services.rdsdata.model.SqlParameter;
import software.amazon.awssdk.services.rdsdata.model.TransactionNotFoundException;
import software.amazon.awssdk.services.rdsdata.model.TypeHint;

/** The local RDS Data API through the AWS SDK's own client, against a real PostgreSQL. */
class LocalDataApiIT {
    private static TestDatabase db;
    private static LocalDataApi api;
    private static RdsDataClient client;

    @BeforeAll
    static void start() {
        db = TestDatabase.create();
        db.execute("CREATE TABLE notes (id uuid PRIMARY KEY, body text NOT NULL)");
        api = LocalDataApi.start(0, db.serverUrl(), TestDatabase.properties(), db.name());
        client = client(api.endpoint());
    }

    @AfterAll
    static void stop() {
        client.close();
        api.close();
    }

    private static RdsDataClient client(String endpoint) {
        return Wiring.rdsData(new Config(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local", "AWS_ENDPOINT_URL_RDS_DATA", endpoint)::get));
    }

    private static ExecuteStatementResponse execute(String sql, SqlParameter... parameters) {
        return execute(b -> b.sql(sql).parameters(parameters));
    }

    private static ExecuteStatementResponse execute(Consumer<ExecuteStatementRequest.Builder> request) {
        return client.executeStatement(b -> {
            b.resourceArn(LocalDataApi.CLUSTER_ARN).secretArn(LocalDataApi.SECRET_ARN).database(db.name());
            request.accept(b);
        });
    }

    private static SqlParameter string(String name, String value) {
        return SqlParameter.builder().name(name).value(Field.fromStringValue(value)).build();
    }

    private static SqlParameter hinted(String name, String value, TypeHint hint) {
        return SqlParameter.builder().name(name).value(Field.fromStringValue(value)).typeHint(hint).build();
    }

    private static List<Field> onlyRecord(ExecuteStatementResponse response) {
        assertEquals(1, response.records().size(), response::toString);
        return response.records().get(0);
    }

    @Test
    void aColonInQuotesCommentsDollarQuotesOrACastIsNotAParameter() {
        List<Field> record = onlyRecord(execute("""
                SELECT ':quoted' AS a, $tag$:dollar$tag$ AS b, ":not a name" AS c, :p::text AS d -- :comment
                FROM (SELECT 1 AS ":not a name") AS t /* :block */""", string("p", "value")));

        assertEquals(List.of(Field.fromStringValue(":quoted"), Field.fromStringValue(":dollar"), Field.fromLongValue(1L),
                Field.fromStringValue("value")), record);
    }

    @Test
    void aParameterUsedTwiceTakesOneValue() {
        List<Field> record = onlyRecord(execute("SELECT :x || :x AS twice", string("x", "ab")));
        assertEquals("abab", record.get(0).stringValue());
    }

    @Test
    void typeHintsMakeAStringThatType() {
        String id = UUID.randomUUID().toString();
        List<Field> record = onlyRecord(execute(
                "SELECT pg_typeof(:u)::text, :u, pg_typeof(:j)::text, :j,"
                        + " pg_typeof(:t)::text, :t, pg_typeof(:d)::text, :d",
                hinted("u", id, TypeHint.UUID), hinted("j", "{\"a\": [1, 2]}", TypeHint.JSON),
                hinted("t", "2026-03-01 12:00:00.123456", TypeHint.TIMESTAMP), hinted("d", "12.50", TypeHint.DECIMAL)));

        assertEquals(List.of("uuid", id, "json", "{\"a\": [1, 2]}", "timestamp without time zone",
                "2026-03-01 12:00:00.123456", "numeric", "12.50"), record.stream().map(Field::stringValue).toList());
    }

    @Test
    void aStringIsNeverTakenForAUuidWithoutItsHint() {
        String id = UUID.randomUUID().toString();
        db.execute("INSERT INTO notes VALUES ('" + id + "', 'hello')");

        DatabaseErrorException refused = assertThrows(DatabaseErrorException.class,
                () -> execute("SELECT body FROM notes WHERE id = :id", string("id", id)));
        assertEquals(400, refused.statusCode());
        String message = refused.awsErrorDetails().errorMessage();
        assertTrue(message.contains("operator does not exist: uuid = character varying"), message);
        assertTrue(message.endsWith("SQLState: 42883"), message);
        assertEquals("hello", onlyRecord(execute("SELECT body FROM notes WHERE id = :id",
                hinted("id", id, TypeHint.UUID))).get(0).stringValue());
    }

    @Test
    void aTimestampHintWantsAwsFormat() {
        BadRequestException refused = assertThrows(BadRequestException.class,
                () -> execute("SELECT :t", hinted("t", "2026-03-01T12:00:00Z", TypeHint.TIMESTAMP)));
        assertEquals(400, refused.statusCode());
    }

    @Test
    void recordsAreTypedAsAwsReturnsThem() {
        ExecuteStatementResponse response = execute(b -> b.includeResultMetadata(true).sql("""
                SELECT 7::int AS i, 8::bigint AS b, 1.5::float8 AS d, true AS t, NULL::text AS n, 'x' AS s,
                       '2026-03-01 12:00:00.5+00'::timestamptz AS ts, '{"a": 1}'::jsonb AS j, 12.50::numeric AS num,
                       ARRAY[1, 2] AS arr, :nothing AS null_parameter""")
                .parameters(SqlParameter.builder().name("nothing").value(Field.fromIsNull(true)).build()));
        List<Field> r = onlyRecord(response);

        assertEquals(Field.fromLongValue(7L), r.get(0));
        assertEquals(Field.fromLongValue(8L), r.get(1));
        assertEquals(Field.fromDoubleValue(1.5), r.get(2));
        assertEquals(Field.fromBooleanValue(true), r.get(3));
        assertEquals(Field.fromIsNull(true), r.get(4));
        assertEquals(Field.fromStringValue("x"), r.get(5));
        assertEquals(Field.fromStringValue("2026-03-01 12:00:00.5"), r.get(6));
        assertEquals(Field.fromStringValue("{\"a\": 1}"), r.get(7));
        assertEquals(Field.fromStringValue("12.50"), r.get(8));
        assertEquals(List.of(1L, 2L), r.get(9).arrayValue().longValues());
        assertEquals(Field.fromIsNull(true), r.get(10));
        assertEquals(List.of("i", "b", "d", "t", "n", "s", "ts", "j", "num", "arr", "null_parameter"),
                response.columnMetadata().stream().map(c -> c.label()).toList());
        assertEquals(List.of("int4", "timestamptz", "jsonb"), List.of(response.columnMetadata().get(0).typeName(),
                response.columnMetadata().get(6).typeName(), response.columnMetadata().get(7).typeName()));
    }

    @Test
    void formattedRecordsAreOneJsonString() {
        ExecuteStatementResponse response = execute(b -> b.formatRecordsAs(RecordsFormatType.JSON)
                .sql("SELECT 1 AS one, 'a' AS letter, NULL::int AS none UNION ALL SELECT 2, 'b', 3"));

        assertTrue(response.records().isEmpty());
        assertEquals(Json.parse("[{\"one\": 1, \"letter\": \"a\", \"none\": null},"
                + " {\"one\": 2, \"letter\": \"b\", \"none\": 3}]"), Json.parse(response.formattedRecords()));
    }

    @Test
    void formattedRecordsComeWithoutColumnMetadataEvenWhenAskedFor() {
        ExecuteStatementResponse response = execute(b -> b.formatRecordsAs(RecordsFormatType.JSON)
                .includeResultMetadata(true).sql("SELECT 1 AS one"));

        assertEquals(Json.parse("[{\"one\": 1}]"), Json.parse(response.formattedRecords()));
        assertFalse(response.hasColumnMetadata(), response::toString);
    }

    @Test
    void anUpdateCountsItsRows() {
        execute("INSERT INTO notes VALUES (gen_random_uuid(), 'count me'), (gen_random_uuid(), 'count me')");
        ExecuteStatementResponse response = execute("UPDATE notes SET body = :body WHERE body = 'count me'",
                string("body", "counted"));
        assertEquals(2, response.numberOfRecordsUpdated());
        assertTrue(response.records().isEmpty());
    }

    @Test
    void aTransactionCommitsWhatItDid() {
        String tx = begin();
        String id = UUID.randomUUID().toString();
        execute(b -> b.transactionId(tx).sql("INSERT INTO notes VALUES (:id, 'in a transaction')")
                .parameters(hinted("id", id, TypeHint.UUID)));
        assertEquals(0, count(id), "not visible before the commit");

        assertEquals("Transaction Committed", client.commitTransaction(b -> b.resourceArn(LocalDataApi.CLUSTER_ARN)
                .secretArn(LocalDataApi.SECRET_ARN).transactionId(tx)).transactionStatus());
        assertEquals(1, count(id));
        assertThrows(TransactionNotFoundException.class, () -> client.commitTransaction(b -> b
                .resourceArn(LocalDataApi.CLUSTER_ARN).secretArn(LocalDataApi.SECRET_ARN).transactionId(tx)));
    }

    @Test
    void aRollbackUndoesItAndEndsTheTransaction() {
        String tx = begin();
        String id = UUID.randomUUID().toString();
        execute(b -> b.transactionId(tx).sql("INSERT INTO notes VALUES (:id, 'undone')")
                .parameters(hinted("id", id, TypeHint.UUID)));

        assertEquals("Rollback Complete", client.rollbackTransaction(b -> b.resourceArn(LocalDataApi.CLUSTER_ARN)
                .secretArn(LocalDataApi.SECRET_ARN).transactionId(tx)).transactionStatus());
        assertEquals(0, count(id));
        TransactionNotFoundException ended = assertThrows(TransactionNotFoundException.class,
                () -> execute(b -> b.transactionId(tx).sql("SELECT 1")));
        assertEquals(404, ended.statusCode());
        assertTrue(ended.getMessage().contains("termination of your transaction"), ended::getMessage);
    }

    @Test
    void aFailedStatementAbortsItsTransaction() {
        String tx = begin();
        assertThrows(DatabaseErrorException.class, () -> execute(b -> b.transactionId(tx).sql("SELECT nonsense")));
        TransactionNotFoundException aborted = assertThrows(TransactionNotFoundException.class,
                () -> execute(b -> b.transactionId(tx).sql("SELECT 1")));
        assertTrue(aborted.getMessage().contains("aborted due to an error"), aborted::getMessage);
    }

    @Test
    void anUnknownTransactionIsNotFound() {
        TransactionNotFoundException unknown = assertThrows(TransactionNotFoundException.class,
                () -> execute(b -> b.transactionId("no-such-transaction").sql("SELECT 1")));
        assertEquals(404, unknown.statusCode());
    }

    @Test
    void batchExecuteRunsEachParameterSet() {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        var response = client.batchExecuteStatement(r -> r.resourceArn(LocalDataApi.CLUSTER_ARN)
                .secretArn(LocalDataApi.SECRET_ARN).database(db.name())
                .sql("INSERT INTO notes VALUES (:id, :body)")
                .parameterSets(List.of(List.of(hinted("id", a, TypeHint.UUID), string("body", "a")),
                        List.of(hinted("id", b, TypeHint.UUID), string("body", "b")))));

        assertEquals(2, response.updateResults().size());
        assertEquals(1, count(a));
        assertEquals(1, count(b));
    }

    @Test
    void theClusterAndTheSecretAreChecked() {
        BadRequestException missing = assertThrows(BadRequestException.class,
                () -> client.executeStatement(b -> b.resourceArn(LocalDataApi.CLUSTER_ARN).sql("SELECT 1")));
        assertEquals(400, missing.statusCode());
        assertThrows(HttpEndpointNotEnabledException.class, () -> client.executeStatement(b -> b
                .resourceArn("arn:aws:rds:us-east-1:000000000000:cluster:other").secretArn(LocalDataApi.SECRET_ARN)
                .sql("SELECT 1")));
        assertThrows(SecretsErrorException.class, () -> client.executeStatement(b -> b
                .resourceArn(LocalDataApi.CLUSTER_ARN).secretArn(LocalDataApi.SECRET_ARN + "-other")
                .sql("SELECT 1")));
    }

    @Test
    void aRowOver64KbOrAnAnswerOver1MibIsRefused() {
        BadRequestException row = assertThrows(BadRequestException.class,
                () -> execute("SELECT repeat('x', 70000) AS big"));
        assertTrue(row.getMessage().contains("64 KB"), row::getMessage);
        BadRequestException answer = assertThrows(BadRequestException.class,
                () -> execute("SELECT repeat('x', 60000) AS big FROM generate_series(1, 20)"));
        assertTrue(answer.getMessage().contains("response size limit"), answer::getMessage);
        assertEquals(15, execute("SELECT repeat('x', 60000) AS big FROM generate_series(1, 15)").records().size());
    }

    @Test
    void theDriversSocketTimeoutDoesNotCutAStatementAwsLetsRun() {
        Properties properties = TestDatabase.properties();
        properties.setProperty("socketTimeout", "1");
        try (LocalDataApi impatient = LocalDataApi.start(0, db.serverUrl(), properties, db.name());
             RdsDataClient impatientClient = client(impatient.endpoint())) {
            for (boolean continueAfterTimeout : List.of(false, true)) {
                ExecuteStatementResponse slept = impatientClient.executeStatement(b -> b
                        .resourceArn(LocalDataApi.CLUSTER_ARN).secretArn(LocalDataApi.SECRET_ARN).database(db.name())
                        .continueAfterTimeout(continueAfterTimeout).sql("SELECT pg_sleep(1.5)::text AS slept"));
                assertEquals(1, slept.records().size());
            }
        }
    }

    @Test
    void theStoreSplitsBugsFromAnUnavailableDatabase() {
        try (DataApiJobStore wrongSecret = new DataApiJobStore(client(api.endpoint()), LocalDataApi.CLUSTER_ARN,
                LocalDataApi.SECRET_ARN + "-other", db.name())) {
            IllegalStateException bug = assertThrows(IllegalStateException.class, wrongSecret::ping);
            assertTrue(bug.getCause() instanceof AwsServiceException, bug::toString);
        }
        LocalDataApi stopped = LocalDataApi.start(0, db.serverUrl(), TestDatabase.properties(), db.name());
        String endpoint = stopped.endpoint();
        stopped.close();
        try (DataApiJobStore unreachable = new DataApiJobStore(client(endpoint), LocalDataApi.CLUSTER_ARN,
                LocalDataApi.SECRET_ARN, db.name())) {
            assertThrows(StoreException.class, unreachable::ping);
        }
    }

    private static String begin() {
        String tx = client.beginTransaction(b -> b.resourceArn(LocalDataApi.CLUSTER_ARN)
                .secretArn(LocalDataApi.SECRET_ARN).database(db.name())).transactionId();
        assertNotNull(tx);
        return tx;
    }

    private static long count(String id) {
        return onlyRecord(execute("SELECT count(*) FROM notes WHERE id = :id", hinted("id", id, TypeHint.UUID)))
                .get(0).longValue();
    }
}
