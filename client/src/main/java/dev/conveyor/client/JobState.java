package dev.conveyor.client;

import java.util.Locale;

/** A job's state, as the API names it. A state this client does not know yet reads as {@link #UNKNOWN}. */
public enum JobState {
    /** Stored and queued (or waiting for its delay); leaves for RUNNING when a worker takes it, or CANCELLED. */
    PENDING,
    /** An attempt is running; leaves for SUCCESS, RETRYING, FAILED or DEAD_LETTERED. */
    RUNNING,
    /** The handler returned a result. Terminal. */
    SUCCESS,
    /** An attempt failed and another is scheduled; leaves for RUNNING, or CANCELLED. */
    RETRYING,
    /** The last attempt failed, or the failure was permanent. Terminal (until retried). */
    FAILED,
    /** Its message exhausted the queue's deliveries. Terminal (until retried). */
    DEAD_LETTERED,
    /** Cancelled while waiting. Terminal (until retried). */
    CANCELLED,
    /** A state added to the API after this client was built. */
    UNKNOWN;

    /** Whether the job is done: nothing more happens to it unless someone retries it. */
    public boolean isTerminal() {
        return this == SUCCESS || this == FAILED || this == DEAD_LETTERED || this == CANCELLED;
    }

    /** The state the API calls {@code name}; {@link #UNKNOWN} for a name this client does not know. */
    public static JobState of(String name) {
        if (name == null) {
            return UNKNOWN;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
