package dev.bedrockjobs.core.port;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.Consumer;

/** One streamed model call (InvokeModelWithResponseStream): the family's chunks, in order, as they arrive. */
public interface ModelStream {

    /**
     * Calls the model with the body its codec built and hands over each chunk's JSON. Returns when the stream has
     * ended; an exception thrown by {@code chunks} stops the call and is thrown again from here.
     *
     * @throws Refused the service refused the call or broke the stream off with an error of its own
     */
    void call(String modelId, ObjectNode body, Consumer<JsonNode> chunks);

    /** An error the service answered with, before or during the stream. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String error;

        public Refused(String error, String message, Throwable cause) {
            super(message, cause);
            this.error = error;
        }

        /** The service's name for it, e.g. {@code ThrottlingException}, {@code ModelStreamErrorException}. */
        public String error() {
            return error;
        }
    }
}
