package dev.conveyor.queue;

/** The queue could not be reached or refused a call: an infrastructure fault, answered with 503. */
public class QueueException extends RuntimeException {
    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
