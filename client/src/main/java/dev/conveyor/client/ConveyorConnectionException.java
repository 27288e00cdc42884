package dev.conveyor.client;

/** The API could not be reached, or stopped answering, after the retries the call allows. */
public class ConveyorConnectionException extends ConveyorException {
    private static final long serialVersionUID = 1L;

    public ConveyorConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
