package dev.conveyor.store;

/** The job store could not be reached or did not answer: an infrastructure fault, answered with 503. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
