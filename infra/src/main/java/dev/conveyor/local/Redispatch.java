package dev.conveyor.local;

import dev.conveyor.job.JobId;
import dev.conveyor.job.NewJob;
import dev.conveyor.queue.JobQueue;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * The local queue server keeps its messages in memory, so a restart loses them while the database keeps its jobs.
 * On start, every job still waiting or running gets its message again, delayed until it is due: the consumer
 * settles what is no longer owed (a running job's live lease, a finished job) exactly as it settles a duplicate.
 */
final class Redispatch {
    private Redispatch() {
    }

    /** @return how many messages were sent */
    static int waitingJobs(String jdbcUrl, Properties properties, JobQueue queue) {
        Instant now = Instant.now();
        List<JobQueue.Dispatch> dispatches = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(jdbcUrl, properties);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, COALESCE(next_attempt_at, lease_expires_at) AS due FROM jobs"
                     + " WHERE state IN ('PENDING', 'RETRYING', 'RUNNING')")) {
            while (rs.next()) {
                Timestamp due = rs.getTimestamp("due");
                Duration delay = due == null ? Duration.ZERO : Duration.between(now, due.toInstant());
                if (delay.getSeconds() <= NewJob.MAX_QUEUE_DELAY_SECONDS) {
                    dispatches.add(new JobQueue.Dispatch(JobId.parse(rs.getString("id")),
                            delay.isNegative() ? Duration.ZERO : delay));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the waiting jobs", e);
        }
        int sent = 0;
        for (int i = 0; i < dispatches.size(); i += 1000) {
            List<JobQueue.Dispatch> chunk = dispatches.subList(i, Math.min(dispatches.size(), i + 1000));
            Set<JobId> failed = queue.send(chunk);
            sent += chunk.size() - failed.size();
        }
        return sent;
    }
}
