package dev.conveyor.store.dataapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.aws.CallDeadline;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobQuery;
import dev.conveyor.json.Json;
import dev.conveyor.store.SqlJobStore;
import dev.conveyor.store.sql.NamedSql;
import dev.conveyor.store.sql.Row;
import dev.conveyor.store.sql.SqlParams;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rdsdata.RdsDataClient;
import software.amazon.awssdk.services.rdsdata.model.ColumnMetadata;
import software.amazon.awssdk.services.rdsdata.model.ExecuteStatementResponse;
import software.amazon.awssdk.services.rdsdata.model.Field;
import software.amazon.awssdk.services.rdsdata.model.SqlParameter;
import software.amazon.awssdk.services.rdsdata.model.TypeHint;

/**
 * The job store over the RDS Data API (Aurora PostgreSQL): each statement is one {@code ExecuteStatement} call,
 * outside any transaction, as each is one auto-committed statement over JDBC. No connections to hold, so a
 * function can scale out without a proxy in front of the database.
 *
 * <p>The API binds a {@code stringValue} as text and casts nothing by itself, so every parameter that is not text
 * carries its {@code typeHint}: {@code UUID}, {@code JSON}, {@code TIMESTAMP} (in UTC, see
 * {@link DataApiTimestamps}; the session's time zone must be UTC, Aurora's default). Arrays travel as text cast in
 * the SQL, since the API takes no array parameters.
 *
 * <p>The client should not retry: a call whose answer was lost may have committed, and running an insert or a
 * transition twice is not what the JDBC store does. A failed call is a {@code StoreException}, and the platform's
 * own retries (a 503 to the client, a message delivered again) take it from there.
 */
public final class DataApiJobStore extends SqlJobStore {
    /**
     * A payload's or a result's limit: the API answers no row over 64 KB, and a job's row holds both, its error
     * and its other columns. Submissions and results over it are refused, so that every stored job can be read.
     */
    public static final int MAX_JSON_BYTES = 24 * 1024;
    /** Jobs per call: at 64 KB a row at most, 12 rows stay well under the API's 1 MiB answer. */
    public static final int JOBS_PER_QUERY = 12;

    private final RdsDataClient client;
    private final String clusterArn;
    private final String secretArn;
    private final String database;
    private final Map<String, List<String>> parameterNames = new ConcurrentHashMap<>();

    /**
     * @param clusterArn the Aurora cluster's ARN ({@code resourceArn})
     * @param secretArn the Secrets Manager secret holding the database credentials
     * @param database the database's name
     */
    public DataApiJobStore(RdsDataClient client, String clusterArn, String secretArn, String database) {
        this.client = client;
        this.clusterArn = clusterArn;
        this.secretArn = secretArn;
        this.database = database;
    }

    @Override
    protected List<Row> query(String sql, SqlParams params) {
        ExecuteStatementResponse response = execute(sql, params);
        List<ColumnMetadata> columns = response.columnMetadata();
        List<Row> rows = new ArrayList<>(response.records().size());
        for (List<Field> record : response.records()) {
            Map<String, Field> fields = new HashMap<>(columns.size() * 2);
            for (int i = 0; i < columns.size(); i++) {
                fields.put(columns.get(i).label(), record.get(i));
            }
            rows.add(new DataApiRow(fields));
        }
        return rows;
    }

    @Override
    protected int update(String sql, SqlParams params) {
        return Math.toIntExact(execute(sql, params).numberOfRecordsUpdated());
    }

    private ExecuteStatementResponse execute(String sql, SqlParams params) {
        List<SqlParameter> parameters = new ArrayList<>();
        for (String name : parameterNames.computeIfAbsent(sql, DataApiJobStore::distinctNames)) {
            parameters.add(parameter(name, params.get(name)));
        }
        try {
            return client.executeStatement(b -> b
                    .resourceArn(clusterArn)
                    .secretArn(secretArn)
                    .database(database)
                    .sql(sql)
                    .parameters(parameters)
                    .includeResultMetadata(true)
                    .overrideConfiguration(CallDeadline::bound));
        } catch (SdkException e) {
            throw DataApiErrors.translate(e);
        }
    }

    /** The parameters a statement names, each once: the API wants one value per name, however often it is used. */
    private static List<String> distinctNames(String sql) {
        Set<String> names = new LinkedHashSet<>(NamedSql.parse(sql).names());
        return List.copyOf(names);
    }

    static SqlParameter parameter(String name, SqlParams.Value value) {
        SqlParameter.Builder p = SqlParameter.builder().name(name);
        Object v = value.value();
        if (v == null) {
            return p.value(Field.fromIsNull(true)).build();
        }
        return switch (value.type()) {
            case TEXT -> p.value(Field.fromStringValue((String) v)).build();
            case UUID -> p.value(Field.fromStringValue(((UUID) v).toString())).typeHint(TypeHint.UUID).build();
            case JSON -> p.value(Field.fromStringValue(Json.write((JsonNode) v))).typeHint(TypeHint.JSON).build();
            case TIMESTAMP -> p.value(Field.fromStringValue(DataApiTimestamps.format((Instant) v)))
                    .typeHint(TypeHint.TIMESTAMP).build();
            case INTEGER, BIGINT -> p.value(Field.fromLongValue(((Number) v).longValue())).build();
            case DOUBLE -> p.value(Field.fromDoubleValue((Double) v)).build();
        };
    }

    @Override
    public int maxJsonBytes() {
        return MAX_JSON_BYTES;
    }

    @Override
    public int maxJobsPerQuery() {
        return JOBS_PER_QUERY;
    }

    /** A page of up to 100 jobs in calls of {@link #JOBS_PER_QUERY}, each continuing after the last (keyset). */
    @Override
    public List<Job> list(JobQuery query) {
        List<Job> jobs = new ArrayList<>();
        Optional<JobQuery.Position> after = query.after();
        while (jobs.size() < query.limit()) {
            int want = Math.min(JOBS_PER_QUERY, query.limit() - jobs.size());
            List<Job> part = super.list(query.withLimit(want).after(after));
            jobs.addAll(part);
            if (part.size() < want) {
                break;
            }
            after = Optional.of(JobQuery.Position.of(part.get(part.size() - 1)));
        }
        return jobs;
    }

    @Override
    public void close() {
        client.close();
    }
}
