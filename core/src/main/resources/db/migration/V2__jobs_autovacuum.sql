-- jobs is a queue: each row is inserted and updated twice within seconds, so its partial indexes (jobs waiting,
-- jobs running) fill with dead entries and its statistics go stale within seconds of a burst. PostgreSQL's defaults
-- vacuum and analyze a table after a fifth or a tenth of it changed: on a table of a million jobs, only after a
-- hundred thousand transitions, while every claim reads those dead entries and the planner believes the backlog is
-- as small as when it last looked. Here: after a thousand changed rows, whatever the table's size, and without
-- pausing to spare I/O (the work per vacuum stays small).
ALTER TABLE jobs SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0,
    autovacuum_analyze_threshold = 1000,
    autovacuum_vacuum_cost_delay = 0
);
