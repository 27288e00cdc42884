-- The trace a job's submission belongs to, as a W3C traceparent (00-<trace id>-<span id>-<flags>): its queue
-- messages carry it to the job's processing, and the job answers with its trace id. Null for jobs stored before.
ALTER TABLE jobs ADD COLUMN trace_parent text
    CHECK (trace_parent ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
