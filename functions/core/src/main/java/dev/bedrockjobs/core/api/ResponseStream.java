package dev.bedrockjobs.core.api;

import java.io.IOException;
import java.util.Map;

/**
 * A response whose body is sent as it is produced, for a transport that can stream (the local front; in AWS, what a
 * function URL in {@code RESPONSE_STREAM} mode would carry). An {@link IOException} from either method means the
 * client has gone: the producer stops.
 */
public interface ResponseStream {
    /** Sends the status and headers; called once, before any body. */
    void start(int status, Map<String, String> headers) throws IOException;

    /** Sends this part of the body at once. */
    void write(String part) throws IOException;

    /** Answers with this complete response instead (a refusal, or nothing left to send): no stream is started. */
    void send(ApiResponse whole) throws IOException;
}
