-- Conveyor's job store. The rules of JobState live here too: CHECK constraints say what each state requires of
-- a row, and the trigger below rejects any transition the state machine does not allow and appends every
-- transition to job_events, so that no code path can change a job without leaving its history.

CREATE TABLE jobs (
    id                  uuid             PRIMARY KEY,
    type                text             NOT NULL,
    state               text             NOT NULL,
    payload             jsonb            NOT NULL,
    result              jsonb,
    attempt             integer          NOT NULL DEFAULT 0,
    max_retries         integer          NOT NULL,
    retry_delay_seconds double precision NOT NULL,
    timeout_seconds     double precision NOT NULL,
    last_error          text,
    created_at          timestamptz      NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz      NOT NULL,
    -- When a waiting job is due: a delayed first attempt, or the retry after a backoff.
    next_attempt_at     timestamptz,
    -- While RUNNING: when the attempt is presumed lost (its deadline plus a grace period).
    lease_expires_at    timestamptz,
    -- When a message for the job was last sent to the queue; NULL while that is still owed.
    dispatched_at       timestamptz,
    -- Idempotent submission: the client's key, scoped to its API key, and a hash of the request it came with.
    idempotency_scope   text,
    idempotency_key     text,
    request_hash        text,

    CONSTRAINT jobs_type_name CHECK (type ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    CONSTRAINT jobs_state_known CHECK (state IN
        ('PENDING', 'RUNNING', 'SUCCESS', 'RETRYING', 'FAILED', 'DEAD_LETTERED', 'CANCELLED')),
    CONSTRAINT jobs_max_retries_range CHECK (max_retries BETWEEN 0 AND 10),
    CONSTRAINT jobs_attempt_range CHECK (attempt BETWEEN 0 AND max_retries + 1),
    CONSTRAINT jobs_retry_delay_range CHECK (retry_delay_seconds >= 0),
    CONSTRAINT jobs_timeout_positive CHECK (timeout_seconds > 0),
    CONSTRAINT jobs_pending_shape CHECK (state <> 'PENDING'
        OR (attempt = 0 AND started_at IS NULL AND finished_at IS NULL AND lease_expires_at IS NULL
            AND result IS NULL)),
    CONSTRAINT jobs_running_shape CHECK (state <> 'RUNNING'
        OR (attempt >= 1 AND started_at IS NOT NULL AND lease_expires_at IS NOT NULL AND finished_at IS NULL
            AND result IS NULL)),
    CONSTRAINT jobs_retrying_shape CHECK (state <> 'RETRYING'
        OR (attempt BETWEEN 1 AND max_retries AND next_attempt_at IS NOT NULL AND last_error IS NOT NULL
            AND lease_expires_at IS NULL AND finished_at IS NULL AND result IS NULL)),
    CONSTRAINT jobs_success_shape CHECK (state <> 'SUCCESS'
        OR (attempt >= 1 AND result IS NOT NULL AND started_at IS NOT NULL AND finished_at IS NOT NULL
            AND lease_expires_at IS NULL)),
    CONSTRAINT jobs_failed_shape CHECK (state <> 'FAILED'
        OR (attempt >= 1 AND last_error IS NOT NULL AND finished_at IS NOT NULL AND lease_expires_at IS NULL)),
    CONSTRAINT jobs_ended_shape CHECK (state NOT IN ('DEAD_LETTERED', 'CANCELLED')
        OR (finished_at IS NOT NULL AND lease_expires_at IS NULL)),
    CONSTRAINT jobs_idempotency_complete CHECK (
        (idempotency_key IS NULL AND request_hash IS NULL AND idempotency_scope IS NULL)
        OR (idempotency_key IS NOT NULL AND request_hash IS NOT NULL AND idempotency_scope IS NOT NULL))
);

-- GET /jobs: newest first, with or without a state filter (keyset pagination on (created_at, id)).
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_state_created ON jobs (state, created_at DESC, id DESC);
-- Submissions with the same key in the same scope are one job: a unique index, not a read-then-write.
CREATE UNIQUE INDEX jobs_idempotency ON jobs (idempotency_scope, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- The sweeper's two questions: which waiting jobs are owed a message, which leases have run out.
CREATE INDEX jobs_waiting_due ON jobs (next_attempt_at) WHERE state IN ('PENDING', 'RETRYING');
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE state = 'RUNNING';
-- GET /metrics: what finished lately, and how long it ran.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE job_events (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id          uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    event           text        NOT NULL,
    attempt         integer     NOT NULL,
    at              timestamptz NOT NULL,
    error           text,
    next_attempt_at timestamptz,

    CONSTRAINT job_events_known CHECK (event IN
        ('created', 'started', 'succeeded', 'failed', 'retry_scheduled', 'dead_lettered', 'cancelled', 'requeued'))
);

CREATE INDEX job_events_by_job ON job_events (job_id, id);

CREATE FUNCTION jobs_record_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'PENDING' THEN
            RAISE EXCEPTION 'a new job must be PENDING, not %', NEW.state USING ERRCODE = 'check_violation';
        END IF;
        INSERT INTO job_events (job_id, event, attempt, at, next_attempt_at)
        VALUES (NEW.id, 'created', 0, NEW.created_at, NEW.next_attempt_at);
        RETURN NULL;
    END IF;

    IF NOT ((OLD.state = 'PENDING' AND NEW.state IN ('RUNNING', 'CANCELLED', 'DEAD_LETTERED'))
         OR (OLD.state = 'RUNNING' AND NEW.state IN ('SUCCESS', 'RETRYING', 'FAILED', 'DEAD_LETTERED'))
         OR (OLD.state = 'RETRYING' AND NEW.state IN ('RUNNING', 'CANCELLED', 'DEAD_LETTERED'))
         OR (OLD.state IN ('FAILED', 'DEAD_LETTERED', 'CANCELLED') AND NEW.state = 'PENDING')) THEN
        RAISE EXCEPTION 'illegal job transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'RUNNING' AND NEW.attempt <> OLD.attempt + 1 THEN
        RAISE EXCEPTION 'an attempt must count up by one, not % -> %', OLD.attempt, NEW.attempt
            USING ERRCODE = 'check_violation';
    END IF;

    IF NEW.state IN ('RETRYING', 'FAILED') THEN
        INSERT INTO job_events (job_id, event, attempt, at, error)
        VALUES (NEW.id, 'failed', NEW.attempt, NEW.updated_at, NEW.last_error);
    END IF;
    event := CASE NEW.state
        WHEN 'RUNNING' THEN 'started'
        WHEN 'SUCCESS' THEN 'succeeded'
        WHEN 'RETRYING' THEN 'retry_scheduled'
        WHEN 'DEAD_LETTERED' THEN 'dead_lettered'
        WHEN 'CANCELLED' THEN 'cancelled'
        WHEN 'PENDING' THEN 'requeued'
    END;
    IF event IS NOT NULL THEN
        INSERT INTO job_events (job_id, event, attempt, at, error, next_attempt_at)
        VALUES (NEW.id, event, NEW.attempt, NEW.updated_at,
                CASE WHEN NEW.state = 'DEAD_LETTERED' THEN NEW.last_error END,
                CASE WHEN NEW.state IN ('RETRYING', 'PENDING') THEN NEW.next_attempt_at END);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_created AFTER INSERT ON jobs
    FOR EACH ROW EXECUTE FUNCTION jobs_record_transition();
CREATE TRIGGER jobs_transitioned AFTER UPDATE OF state ON jobs
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION jobs_record_transition();
