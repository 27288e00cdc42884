package dev.conveyor.queue;

/**
 * A message as a consumer received it.
 *
 * @param receiveCount how many times the queue has handed it out, this time included
 */
public record ReceivedMessage(String messageId, String receiptHandle, String body, int receiveCount) {
}
