package dev.conveyor.aws;

/** A call to AWS that failed: the HTTP status (0 when none came), AWS's error code, and whether to try again. */
public class AwsException extends RuntimeException {
    private final int status;
    private final String code;
    private final boolean retryable;

    public AwsException(String message, int status, String code, boolean retryable) {
        this(message, status, code, retryable, null);
    }

    public AwsException(String message, int status, String code, boolean retryable, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.retryable = retryable;
    }

    public int status() {
        return status;
    }

    /**
     * AWS's error code ({@code ThrottlingException}, {@code ResourceNotFoundException}, ...; for SQS its
     * query-compatible code, such as {@code AWS.SimpleQueueService.NonExistentQueue}), or null.
     */
    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
