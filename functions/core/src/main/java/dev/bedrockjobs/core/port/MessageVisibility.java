package dev.bedrockjobs.core.port;

/** Makes a received message invisible for a while, so the queue hands it back when a retry is due. */
public interface MessageVisibility {

    /**
     * @param receiptHandle the handle of this receive of the message
     * @param seconds       from now until the message is visible again (at most 12 hours from the receive)
     */
    void delay(String receiptHandle, int seconds);
}
