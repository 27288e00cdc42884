package dev.conveyor.client;

/** Every failure of a {@link ConveyorClient} call: the API's refusals, an unreachable API, a wait that ran out. */
public class ConveyorException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConveyorException(String message, Throwable cause) {
        super(message, cause);
    }
}
