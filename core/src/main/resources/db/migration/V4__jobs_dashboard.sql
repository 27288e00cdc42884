-- GET /jobs?payload= and POST /jobs/bulk: jobs whose payload contains a JSON object (payload @> filter).
-- jsonb_path_ops indexes hashes of paths to values: smaller and faster than the default opclass for @>, which is
-- the only operator the API uses. Built inside the migration's transaction (CONCURRENTLY cannot be): writes to jobs
-- wait while it builds, a few seconds per million jobs.
CREATE INDEX jobs_payload ON jobs USING gin (payload jsonb_path_ops);

-- What an event's cause adds to it, such as {"bulk": true} for a transition made by POST /jobs/bulk. The statement
-- that makes the transition says so in the transaction-local setting conveyor.event_detail, which the trigger reads,
-- so that the trigger stays the one writer of a job's history.
ALTER TABLE job_events ADD COLUMN detail jsonb;

CREATE OR REPLACE FUNCTION jobs_record_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    event text;
    detail jsonb := nullif(current_setting('conveyor.event_detail', true), '')::jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'PENDING' THEN
            RAISE EXCEPTION 'a new job must be PENDING, not %', NEW.state USING ERRCODE = 'check_violation';
        END IF;
        INSERT INTO job_events (job_id, event, attempt, at, next_attempt_at, detail)
        VALUES (NEW.id, 'created', 0, NEW.created_at, NEW.next_attempt_at, detail);
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
        INSERT INTO job_events (job_id, event, attempt, at, error, detail)
        VALUES (NEW.id, 'failed', NEW.attempt, NEW.updated_at, NEW.last_error, detail);
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
        INSERT INTO job_events (job_id, event, attempt, at, error, next_attempt_at, detail)
        VALUES (NEW.id, event, NEW.attempt, NEW.updated_at,
                CASE WHEN NEW.state = 'DEAD_LETTERED' THEN NEW.last_error END,
                CASE WHEN NEW.state IN ('RETRYING', 'PENDING') THEN NEW.next_attempt_at END,
                detail);
    END IF;
    RETURN NULL;
END
$$;
