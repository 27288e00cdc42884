package dev.conveyor.client;

import java.time.Duration;

/** {@link ConveyorClient#await} ran out of time before the job reached a terminal state. */
public class JobAwaitTimeoutException extends ConveyorException {
    private static final long serialVersionUID = 1L;
    private final transient Job lastSeen;

    public JobAwaitTimeoutException(Job lastSeen, Duration timeout) {
        super("job " + lastSeen.id() + " is still " + lastSeen.stateName() + " after " + timeout, null);
        this.lastSeen = lastSeen;
    }

    /** The job as the last poll saw it. */
    public Job lastSeen() {
        return lastSeen;
    }
}
