package dev.conveyor.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.IdempotencyKey;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobEvent;
import dev.conveyor.job.JobFilter;
import dev.conveyor.job.JobId;
import dev.conveyor.job.JobQuery;
import dev.conveyor.job.JobState;
import dev.conveyor.job.NewJob;
import dev.conveyor.job.Submission;
import dev.conveyor.job.WaitingJob;
import dev.conveyor.json.Json;
import dev.conveyor.store.sql.Row;
import dev.conveyor.store.sql.SqlParams;
import dev.conveyor.trace.TraceContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The job store's SQL, written once with {@code :name} parameters and shared by every way of reaching PostgreSQL:
 * subclasses only carry statements to the database and rows back ({@link JdbcJobStore}, {@code DataApiJobStore}).
 * Every statement stands alone (no transaction spans two), so both transports behave the same.
 */
public abstract class SqlJobStore implements JobStore {

    static final String JOB_COLUMNS = "id, type, state, payload, result, attempt, max_retries, retry_delay_seconds,"
            + " timeout_seconds, last_error, created_at, started_at, finished_at, updated_at, next_attempt_at,"
            + " lease_expires_at, trace_parent";

    private static final String INSERT = """
            INSERT INTO jobs (id, type, state, payload, max_retries, retry_delay_seconds, timeout_seconds,
                              created_at, updated_at, next_attempt_at, dispatched_at,
                              idempotency_scope, idempotency_key, request_hash, trace_parent)
            SELECT r.id, r.type, 'PENDING', r.payload, r.max_retries, r.retry_delay_seconds, r.timeout_seconds,
                   :now, :now, r.next_attempt_at, r.dispatched_at,
                   r.idempotency_scope, r.idempotency_key, r.request_hash, r.trace_parent
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r (
                id uuid, type text, payload jsonb, max_retries integer, retry_delay_seconds double precision,
                timeout_seconds double precision, next_attempt_at timestamptz, dispatched_at timestamptz,
                idempotency_scope text, idempotency_key text, request_hash text, trace_parent text)
            ON CONFLICT (idempotency_scope, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING\s""" + JOB_COLUMNS;

    private static final String FIND_BY_IDEMPOTENCY_KEYS = "SELECT " + JOB_COLUMNS + ", idempotency_scope,"
            + " idempotency_key, request_hash FROM jobs"
            + " WHERE (idempotency_scope, idempotency_key) IN"
            + " (SELECT k.scope, k.key FROM jsonb_to_recordset(CAST(:keys AS jsonb)) AS k (scope text, key text))";

    private static final String FIND = "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = :id";

    private static final String FIND_ALL = "SELECT " + JOB_COLUMNS + " FROM jobs WHERE id = ANY(CAST(:ids AS uuid[]))";

    private static final String CLAIM = """
            UPDATE jobs
            SET state = 'RUNNING', attempt = attempt + 1, started_at = :now, updated_at = :now,
                lease_expires_at = :now + make_interval(secs => timeout_seconds + :grace), next_attempt_at = NULL
            WHERE id = ANY(CAST(:ids AS uuid[])) AND state IN ('PENDING', 'RETRYING') AND next_attempt_at <= :now
            RETURNING\s""" + JOB_COLUMNS;

    private static final String FINISH = """
            UPDATE jobs AS j
            SET state = f.state, result = f.result, last_error = coalesce(f.error, j.last_error),
                next_attempt_at = f.retry_at,
                finished_at = CASE WHEN f.state = 'RETRYING' THEN NULL ELSE :now END,
                dispatched_at = CASE WHEN f.state = 'RETRYING' THEN f.dispatched_at ELSE j.dispatched_at END,
                lease_expires_at = NULL, updated_at = :now
            FROM jsonb_to_recordset(CAST(:rows AS jsonb))
                AS f (id uuid, attempt integer, state text, result jsonb, error text, retry_at timestamptz,
                      dispatched_at timestamptz)
            WHERE j.id = f.id AND j.state = 'RUNNING' AND j.attempt = f.attempt
            RETURNING j.id""";

    private static final String EXPIRE = """
            UPDATE jobs
            SET state = :state, last_error = :error, next_attempt_at = :retry_at, finished_at = :finished_at,
                dispatched_at = :dispatched_at, updated_at = :now, lease_expires_at = NULL
            WHERE id = :id AND state = 'RUNNING' AND attempt = :attempt AND lease_expires_at <= :now""";

    private static final String DEAD_LETTER = """
            UPDATE jobs
            SET state = 'DEAD_LETTERED', last_error = :reason || coalesce('; last error: ' || last_error, ''),
                finished_at = :now, updated_at = :now, lease_expires_at = NULL, next_attempt_at = NULL
            WHERE id = :id
              AND (state IN ('PENDING', 'RETRYING') OR (state = 'RUNNING' AND lease_expires_at <= :now))""";

    private static final String CANCEL = """
            UPDATE jobs
            SET state = 'CANCELLED', finished_at = :now, updated_at = :now, next_attempt_at = NULL
            WHERE id = :id AND state IN ('PENDING', 'RETRYING')""";

    private static final String REQUEUE = """
            UPDATE jobs
            SET state = 'PENDING', attempt = 0, result = NULL, last_error = NULL, started_at = NULL,
                finished_at = NULL, lease_expires_at = NULL, next_attempt_at = :now, dispatched_at = :now,
                updated_at = :now
            WHERE id = :id AND state IN ('FAILED', 'DEAD_LETTERED', 'CANCELLED')""";

    private static final String EVENTS = """
            SELECT event, attempt, at, error, next_attempt_at, detail FROM job_events WHERE job_id = :id ORDER BY id""";

    private static final String OWED_DISPATCH = "SELECT " + JOB_COLUMNS + """
             FROM jobs
            WHERE state IN ('PENDING', 'RETRYING') AND next_attempt_at <= :horizon
              AND (dispatched_at IS NULL OR greatest(next_attempt_at, dispatched_at) < :stalled_before)
            ORDER BY next_attempt_at
            LIMIT :limit""";

    private static final String MARK_DISPATCHED = """
            UPDATE jobs SET dispatched_at = :at
            WHERE id = ANY(CAST(:ids AS uuid[])) AND state IN ('PENDING', 'RETRYING')""";

    private static final String EXPIRED_LEASES = "SELECT " + JOB_COLUMNS + """
             FROM jobs
            WHERE state = 'RUNNING' AND lease_expires_at < :before
            ORDER BY lease_expires_at
            LIMIT :limit""";

    private static final String COUNT_BY_STATE = "SELECT state, count(*) AS n FROM jobs GROUP BY state";

    private static final String FINISHED_SINCE = """
            SELECT count(*) AS finished,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)::float8)
                       FILTER (WHERE started_at IS NOT NULL) AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)::float8)
                       FILTER (WHERE started_at IS NOT NULL) AS p95
            FROM jobs WHERE finished_at >= :since AND state IN ('SUCCESS', 'FAILED')""";

    /**
     * Makes the events of the statement's transitions carry {@code {"bulk": true}}: the trigger reads the setting,
     * which lasts until the statement's own transaction ends. The row it yields is joined to the jobs updated, so
     * it is set before any of them, and the triggers fire after the statement.
     */
    private static final String BULK_DETAIL = "(SELECT set_config('conveyor.event_detail', '{\"bulk\": true}', true))"
            + " AS bulk_detail\n";

    private static final String REQUEUE_MATCHING = """
            UPDATE jobs
            SET state = 'PENDING', attempt = 0, result = NULL, last_error = NULL, started_at = NULL,
                finished_at = NULL, lease_expires_at = NULL, next_attempt_at = :now, dispatched_at = :now,
                updated_at = :now
            FROM\s""" + BULK_DETAIL + """
            WHERE jobs.state IN ('FAILED', 'DEAD_LETTERED', 'CANCELLED')
              AND jobs.id IN (SELECT id FROM jobs WHERE %s LIMIT :limit FOR UPDATE SKIP LOCKED)
            RETURNING jobs.id, jobs.next_attempt_at, jobs.trace_parent""";

    private static final String CANCEL_MATCHING = """
            UPDATE jobs
            SET state = 'CANCELLED', finished_at = :now, updated_at = :now, next_attempt_at = NULL
            FROM\s""" + BULK_DETAIL + """
            WHERE jobs.state IN ('PENDING', 'RETRYING')
              AND jobs.id IN (SELECT id FROM jobs WHERE %s LIMIT :limit FOR UPDATE SKIP LOCKED)""";

    private static final Set<JobState> REQUEUABLE = EnumSet.of(JobState.FAILED, JobState.DEAD_LETTERED,
            JobState.CANCELLED);
    private static final Set<JobState> CANCELLABLE = EnumSet.of(JobState.PENDING, JobState.RETRYING);

    private static final String FINISHED_BY_MINUTE = """
            SELECT date_trunc('minute', finished_at) AS minute, state, count(*) AS n
            FROM jobs
            WHERE finished_at >= :from AND finished_at < :to
              AND state IN ('SUCCESS', 'FAILED', 'DEAD_LETTERED', 'CANCELLED')
            GROUP BY 1, 2""";

    /** Runs a statement that returns rows. */
    protected abstract List<Row> query(String sql, SqlParams params);

    /** Runs a statement that returns no rows, and answers how many rows it changed. */
    protected abstract int update(String sql, SqlParams params);

    @Override
    public List<Submission> insert(List<NewJob> jobs, Instant now) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        ArrayNode rows = Json.mapper().createArrayNode();
        List<JobId> ids = new ArrayList<>(jobs.size());
        for (NewJob job : jobs) {
            JobId id = JobId.newId(now);
            ids.add(id);
            rows.add(insertRow(id, job, now));
        }
        Map<JobId, Job> inserted = new HashMap<>();
        for (Row row : query(INSERT, SqlParams.of().timestamp("now", now).json("rows", rows))) {
            Job job = toJob(row);
            inserted.put(job.id(), job);
        }
        Map<List<String>, Row> earlier = inserted.size() == jobs.size() ? Map.of() : findByIdempotencyKeys(jobs);
        List<Submission> submissions = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Job job = inserted.get(ids.get(i));
            if (job != null) {
                submissions.add(new Submission(job, true));
                continue;
            }
            IdempotencyKey key = jobs.get(i).idempotency();
            Row row = key == null ? null : earlier.get(List.of(key.scope(), key.key()));
            if (row == null) {
                throw new StoreException("job " + ids.get(i) + " was neither stored nor found by its key", null);
            }
            Job existing = toJob(row);
            if (!key.requestHash().equals(row.text("request_hash"))) {
                throw new IdempotencyConflictException(key.key(), existing.id());
            }
            submissions.add(new Submission(existing, false));
        }
        return submissions;
    }

    private static ObjectNode insertRow(JobId id, NewJob job, Instant now) {
        Instant due = now.plusSeconds(job.delaySeconds());
        ObjectNode row = Json.object()
                .put("id", id.toString())
                .put("type", job.type())
                .put("max_retries", job.maxRetries())
                .put("retry_delay_seconds", job.retryDelaySeconds())
                .put("timeout_seconds", job.timeoutSeconds())
                .put("next_attempt_at", due.toString())
                .put("dispatched_at", Objects.toString(dispatchedAt(due, now), null));
        row.set("payload", job.payload());
        if (job.trace() != null) {
            row.put("trace_parent", job.trace().traceparent());
        }
        IdempotencyKey key = job.idempotency();
        if (key != null) {
            row.put("idempotency_scope", key.scope()).put("idempotency_key", key.key())
                    .put("request_hash", key.requestHash());
        }
        return row;
    }

    /**
     * When a waiting job due at {@code due} counts as sent: {@code now} if the queue can delay its message that long
     * (the caller sends it, or hides the one it holds), or null: it is owed a message, which the sweeper sends once
     * the job comes within the queue's delay.
     */
    private static Instant dispatchedAt(Instant due, Instant now) {
        return due.isAfter(now.plusSeconds(NewJob.MAX_QUEUE_DELAY_SECONDS)) ? null : now;
    }

    private Map<List<String>, Row> findByIdempotencyKeys(List<NewJob> jobs) {
        ArrayNode keys = Json.mapper().createArrayNode();
        for (NewJob job : jobs) {
            if (job.idempotency() != null) {
                keys.addObject().put("scope", job.idempotency().scope()).put("key", job.idempotency().key());
            }
        }
        Map<List<String>, Row> found = new HashMap<>();
        if (!keys.isEmpty()) {
            for (Row row : query(FIND_BY_IDEMPOTENCY_KEYS, SqlParams.of().json("keys", keys))) {
                found.put(List.of(row.text("idempotency_scope"), row.text("idempotency_key")), row);
            }
        }
        return found;
    }

    @Override
    public Optional<Job> find(JobId id) {
        return query(FIND, SqlParams.of().uuid("id", id.value())).stream().findFirst().map(SqlJobStore::toJob);
    }

    @Override
    public Map<JobId, Job> findAll(Collection<JobId> ids) {
        Map<JobId, Job> found = new LinkedHashMap<>();
        if (!ids.isEmpty()) {
            for (Row row : query(FIND_ALL, SqlParams.of().text("ids", uuidArray(ids)))) {
                Job job = toJob(row);
                found.put(job.id(), job);
            }
        }
        return found;
    }

    @Override
    public List<Job> claim(Collection<JobId> ids, Instant now, Duration leaseGrace) {
        if (ids.isEmpty()) {
            return List.of();
        }
        SqlParams params = SqlParams.of()
                .text("ids", uuidArray(ids))
                .timestamp("now", now)
                .float8("grace", leaseGrace.toNanos() / 1e9);
        return query(CLAIM, params).stream().map(SqlJobStore::toJob).toList();
    }

    @Override
    public Set<JobId> finish(List<Finish> outcomes, Instant now) {
        if (outcomes.isEmpty()) {
            return Set.of();
        }
        ArrayNode rows = Json.mapper().createArrayNode();
        for (Finish outcome : outcomes) {
            ObjectNode row = rows.addObject()
                    .put("id", outcome.id().toString())
                    .put("attempt", outcome.attempt())
                    .put("state", outcome.state().name())
                    .put("error", outcome.error())
                    .put("retry_at", outcome.retryAt() == null ? null : outcome.retryAt().toString())
                    .put("dispatched_at", outcome.retryAt() == null ? null
                            : Objects.toString(dispatchedAt(outcome.retryAt(), now), null));
            row.set("result", outcome.result());
        }
        Set<JobId> recorded = new HashSet<>();
        for (Row row : query(FINISH, SqlParams.of().json("rows", rows).timestamp("now", now))) {
            recorded.add(new JobId(row.uuid("id")));
        }
        return recorded;
    }

    @Override
    public boolean expire(JobId id, int attempt, String error, Instant retryAt, Instant now) {
        SqlParams params = SqlParams.of()
                .uuid("id", id.value())
                .integer("attempt", attempt)
                .text("state", (retryAt == null ? JobState.FAILED : JobState.RETRYING).name())
                .text("error", error)
                .timestamp("retry_at", retryAt)
                .timestamp("finished_at", retryAt == null ? now : null)
                .timestamp("dispatched_at", retryAt == null ? now : dispatchedAt(retryAt, now))
                .timestamp("now", now);
        return update(EXPIRE, params) == 1;
    }

    @Override
    public boolean deadLetter(JobId id, String reason, Instant now) {
        return update(DEAD_LETTER, SqlParams.of().uuid("id", id.value()).text("reason", reason)
                .timestamp("now", now)) == 1;
    }

    @Override
    public boolean cancel(JobId id, Instant now) {
        return update(CANCEL, SqlParams.of().uuid("id", id.value()).timestamp("now", now)) == 1;
    }

    @Override
    public boolean requeue(JobId id, Instant now) {
        return update(REQUEUE, SqlParams.of().uuid("id", id.value()).timestamp("now", now)) == 1;
    }

    @Override
    public List<Job> list(JobQuery query) {
        SqlParams params = SqlParams.of().integer("limit", query.limit());
        StringBuilder sql = new StringBuilder("SELECT ").append(JOB_COLUMNS).append(" FROM jobs WHERE ")
                .append(where(query.filter(), params));
        query.after().ifPresent(after -> {
            sql.append(" AND (created_at, id) < (:after_created_at, :after_id)");
            params.timestamp("after_created_at", after.createdAt()).uuid("after_id", after.id().value());
        });
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
        return query(sql.toString(), params).stream().map(SqlJobStore::toJob).toList();
    }

    @Override
    public long count(JobFilter filter) {
        SqlParams params = SqlParams.of();
        return query("SELECT count(*) AS n FROM jobs WHERE " + where(filter, params), params).get(0).bigint("n");
    }

    @Override
    public List<WaitingJob> requeueMatching(JobFilter filter, int limit, Instant now) {
        Optional<JobFilter> requeuable = narrowed(filter, REQUEUABLE);
        if (requeuable.isEmpty()) {
            return List.of();
        }
        SqlParams params = SqlParams.of().integer("limit", limit).timestamp("now", now);
        return query(REQUEUE_MATCHING.formatted(where(requeuable.get(), params)), params).stream()
                .map(row -> new WaitingJob(new JobId(row.uuid("id")), row.timestamp("next_attempt_at"),
                        TraceContext.fromTraceparent(row.text("trace_parent"))))
                .toList();
    }

    @Override
    public int cancelMatching(JobFilter filter, int limit, Instant now) {
        Optional<JobFilter> cancellable = narrowed(filter, CANCELLABLE);
        if (cancellable.isEmpty()) {
            return 0;
        }
        SqlParams params = SqlParams.of().integer("limit", limit).timestamp("now", now);
        return update(CANCEL_MATCHING.formatted(where(cancellable.get(), params)), params);
    }

    /**
     * The filter restricted to the states an action takes, so that its {@code LIMIT} counts only jobs the action
     * changes; empty when it takes none of them.
     */
    private static Optional<JobFilter> narrowed(JobFilter filter, Set<JobState> actionable) {
        Set<JobState> states = EnumSet.copyOf(actionable);
        if (!filter.states().isEmpty()) {
            states.retainAll(filter.states());
        }
        return states.isEmpty() ? Optional.empty() : Optional.of(filter.withStates(states));
    }

    /**
     * The filter as a condition on {@code jobs}, its values added to {@code params}. The payload is compared with
     * {@code @>}, which the GIN index {@code jobs_payload} serves.
     */
    private static String where(JobFilter filter, SqlParams params) {
        StringJoiner where = new StringJoiner(" AND ");
        where.add("true");
        if (filter.states().size() == 1) {
            where.add("state = :state");
            params.text("state", filter.states().iterator().next().name());
        } else if (!filter.states().isEmpty()) {
            where.add("state = ANY(CAST(:states AS text[]))");
            StringJoiner states = new StringJoiner(",", "{", "}");
            filter.states().stream().map(JobState::name).sorted().forEach(states::add);
            params.text("states", states.toString());
        }
        filter.type().ifPresent(type -> {
            where.add("type = :type");
            params.text("type", type);
        });
        filter.payload().ifPresent(payload -> {
            where.add("payload @> CAST(:payload AS jsonb)");
            params.json("payload", payload);
        });
        filter.createdAfter().ifPresent(after -> {
            where.add("created_at >= :created_after");
            params.timestamp("created_after", after);
        });
        filter.createdBefore().ifPresent(before -> {
            where.add("created_at < :created_before");
            params.timestamp("created_before", before);
        });
        filter.unchangedAfter().ifPresent(asOf -> {
            where.add("updated_at <= :as_of");
            params.timestamp("as_of", asOf);
        });
        return where.toString();
    }

    @Override
    public List<JobEvent> events(JobId id) {
        return query(EVENTS, SqlParams.of().uuid("id", id.value())).stream()
                .map(row -> new JobEvent(row.text("event"), row.integer("attempt"), row.timestamp("at"),
                        row.text("error"), row.timestamp("next_attempt_at"), row.json("detail")))
                .toList();
    }

    @Override
    public List<Job> owedDispatch(Instant horizon, Instant stalledBefore, int limit) {
        SqlParams params = SqlParams.of()
                .timestamp("horizon", horizon)
                .timestamp("stalled_before", stalledBefore)
                .integer("limit", limit);
        return query(OWED_DISPATCH, params).stream().map(SqlJobStore::toJob).toList();
    }

    @Override
    public void markDispatched(Collection<JobId> ids, Instant at) {
        if (!ids.isEmpty()) {
            update(MARK_DISPATCHED, SqlParams.of().text("ids", uuidArray(ids)).timestamp("at", at));
        }
    }

    @Override
    public List<Job> expiredLeases(Instant before, int limit) {
        SqlParams params = SqlParams.of().timestamp("before", before).integer("limit", limit);
        return query(EXPIRED_LEASES, params).stream().map(SqlJobStore::toJob).toList();
    }

    @Override
    public Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            counts.put(state, 0L);
        }
        for (Row row : query(COUNT_BY_STATE, SqlParams.of())) {
            counts.put(JobState.parse(row.text("state")), row.bigint("n"));
        }
        return counts;
    }

    @Override
    public RunStats finishedSince(Instant since) {
        Row row = query(FINISHED_SINCE, SqlParams.of().timestamp("since", since)).get(0);
        return new RunStats(row.bigint("finished"), row.float8("p50"), row.float8("p95"));
    }

    @Override
    public List<MinuteCount> finishedByMinute(Instant from, Instant to) {
        SqlParams params = SqlParams.of().timestamp("from", from).timestamp("to", to);
        return query(FINISHED_BY_MINUTE, params).stream()
                .map(row -> new MinuteCount(row.timestamp("minute"), JobState.parse(row.text("state")),
                        row.bigint("n")))
                .toList();
    }

    @Override
    public void ping() {
        query("SELECT 1 AS one", SqlParams.of());
    }

    /** A PostgreSQL array literal of UUIDs, passed as text and cast in SQL: the Data API takes no array parameters. */
    static String uuidArray(Collection<JobId> ids) {
        StringJoiner joiner = new StringJoiner(",", "{", "}");
        ids.forEach(id -> joiner.add(id.toString()));
        return joiner.toString();
    }

    static Job toJob(Row row) {
        return new Job(
                new JobId(row.uuid("id")),
                row.text("type"),
                JobState.parse(row.text("state")),
                row.json("payload"),
                row.json("result"),
                row.integer("attempt"),
                row.integer("max_retries"),
                row.float8("retry_delay_seconds"),
                row.float8("timeout_seconds"),
                row.text("last_error"),
                row.timestamp("created_at"),
                row.timestamp("started_at"),
                row.timestamp("finished_at"),
                row.timestamp("updated_at"),
                row.timestamp("next_attempt_at"),
                row.timestamp("lease_expires_at"),
                TraceContext.fromTraceparent(row.text("trace_parent")));
    }
}
