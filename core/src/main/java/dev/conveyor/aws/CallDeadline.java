package dev.conveyor.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * How long an AWS call may take: what is left of the work that makes it. An API function must answer before API
 * Gateway gives up (29 s) and a consumer before its invocation ends, so each sets its deadline around the work
 * ({@link #until}), and every SDK request made on that thread gets the time left as its API call timeout
 * ({@link #bound}), retries included. Outside such work (an init, a test) a call may take {@link #UNBOUNDED_LIMIT}.
 */
public final class CallDeadline {
    /** The longest an AWS call may take when no deadline is set: within Lambda's 10 s init. */
    public static final Duration UNBOUNDED_LIMIT = Duration.ofSeconds(5);
    /** Less than this left, and a call is not worth starting: it fails at once. */
    static final Duration TOO_LITTLE = Duration.ofMillis(50);

    private static final ThreadLocal<Instant> DEADLINE = new ThreadLocal<>();

    private CallDeadline() {
    }

    /** Runs {@code work} with AWS calls on this thread bounded by {@code deadline}. */
    public static <T> T until(Instant deadline, Supplier<T> work) {
        Instant outer = DEADLINE.get();
        DEADLINE.set(outer != null && outer.isBefore(deadline) ? outer : deadline);
        try {
            return work.get();
        } finally {
            DEADLINE.set(outer);
        }
    }

    /** This thread's deadline, or null. */
    public static Instant current() {
        return DEADLINE.get();
    }

    /**
     * The time a call may take now: what is left before this thread's deadline, or {@link #UNBOUNDED_LIMIT} when
     * it has none.
     *
     * @throws ApiCallTimeoutException when too little is left to make a call at all
     */
    public static Duration remaining() {
        Instant deadline = DEADLINE.get();
        if (deadline == null) {
            return UNBOUNDED_LIMIT;
        }
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.compareTo(TOO_LITTLE) < 0) {
            throw ApiCallTimeoutException.builder()
                    .message("no time left for an AWS call before the invocation's deadline").build();
        }
        return left;
    }

    /** For an SDK request's {@code overrideConfiguration}: its API call timeout is {@link #remaining()}. */
    public static void bound(AwsRequestOverrideConfiguration.Builder request) {
        request.apiCallTimeout(remaining());
    }
}
