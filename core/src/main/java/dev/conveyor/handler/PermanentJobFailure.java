package dev.conveyor.handler;

/** An attempt failed in a way that another attempt cannot fix (an invalid payload, say): the job fails at once. */
public class PermanentJobFailure extends Exception {
    public PermanentJobFailure(String message) {
        super(message);
    }
}
