package dev.bedrockjobs.core.model;

/** A response body that does not have the shape its model family documents. */
public class ModelReplyException extends RuntimeException {

    public ModelReplyException(String message) {
        super(message);
    }
}
