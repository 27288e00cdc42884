package dev.conveyor.job;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a job is in its life. The same rules are enforced by the database: a CHECK constraint for what each state
 * requires of a row, and a trigger that rejects any transition this enum does not allow.
 */
public enum JobState {
    /** Stored and queued, waiting for its first attempt. Entered on submit or on an explicit retry; left when an attempt claims it, or on cancel. */
    PENDING,
    /** An attempt holds the lease. Entered by a claim; left when the attempt records its outcome or its lease is found expired. */
    RUNNING,
    /** The job finished with a result. Entered from {@link #RUNNING}; never left. */
    SUCCESS,
    /** An attempt failed and another is scheduled at {@code next_attempt_at}. Left when that attempt claims it, or on cancel. */
    RETRYING,
    /** The job's attempts are spent, or it failed permanently. Left only through an explicit retry request. */
    FAILED,
    /** The queue gave up on the job's message (the redrive policy moved it to the DLQ). Left only through an explicit retry request. */
    DEAD_LETTERED,
    /** Cancelled on request while waiting. Left only through an explicit retry request. */
    CANCELLED;

    private static final Set<JobState> TERMINAL = EnumSet.of(SUCCESS, FAILED, DEAD_LETTERED, CANCELLED);

    /** True when nothing will happen to the job unless a client asks for it. */
    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** True when a job may go from this state to {@code next}: the table of DESIGN.md, mirrored by the database. */
    public boolean canBecome(JobState next) {
        return switch (this) {
            case PENDING -> next == RUNNING || next == CANCELLED || next == DEAD_LETTERED;
            case RUNNING -> next == SUCCESS || next == RETRYING || next == FAILED || next == DEAD_LETTERED;
            case RETRYING -> next == RUNNING || next == CANCELLED || next == DEAD_LETTERED;
            case FAILED, DEAD_LETTERED, CANCELLED -> next == PENDING;
            case SUCCESS -> false;
        };
    }

    /** The state for a name as stored and as shown in the API, or an {@link IllegalArgumentException}. */
    public static JobState parse(String name) {
        for (JobState state : values()) {
            if (state.name().equals(name)) {
                return state;
            }
        }
        throw new IllegalArgumentException("unknown job state '" + name + "'");
    }
}
