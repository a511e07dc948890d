package dev.bedrockjobs.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.port.ModelStream;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.BedrockRuntimeException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithResponseStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.PayloadPart;

/**
 * {@link ModelStream} on Bedrock's InvokeModelWithResponseStream. Each event's {@code bytes} is one chunk of the
 * family's streaming JSON; an exception event ends the stream with the service's error, which the SDK raises as a
 * {@link BedrockRuntimeException} named by its error code. It lives with the streaming function rather than with the
 * other adapters because only this function bundles the asynchronous client and its HTTP client.
 */
final class BedrockModelStream implements ModelStream {
    private final BedrockRuntimeAsyncClient bedrock;

    BedrockModelStream(BedrockRuntimeAsyncClient bedrock) {
        this.bedrock = bedrock;
    }

    @Override
    public void call(String modelId, ObjectNode body, Consumer<JsonNode> chunks) {
        InvokeModelWithResponseStreamRequest request = InvokeModelWithResponseStreamRequest.builder()
                .modelId(modelId)
                .contentType("application/json")
                .accept("application/json")
                .body(SdkBytes.fromUtf8String(Json.write(body)))
                .build();
        // The SDK does not hand an exception thrown by a chunk's visitor back through its future; it is kept here,
        // the call is cancelled, and it is thrown once the call has stopped.
        AtomicReference<RuntimeException> stoppedBy = new AtomicReference<>();
        AtomicReference<CompletableFuture<Void>> running = new AtomicReference<>();
        InvokeModelWithResponseStreamResponseHandler handler = InvokeModelWithResponseStreamResponseHandler.builder()
                .subscriber(InvokeModelWithResponseStreamResponseHandler.Visitor.builder()
                        .onChunk((PayloadPart part) -> {
                            if (stoppedBy.get() != null) {
                                return;
                            }
                            try {
                                chunks.accept(Json.parse(part.bytes().asUtf8String()));
                            } catch (RuntimeException e) {
                                stoppedBy.set(e);
                                CompletableFuture<Void> call = running.get();
                                if (call != null) {
                                    call.cancel(true);
                                }
                            }
                        })
                        .build())
                .build();
        CompletableFuture<Void> call = bedrock.invokeModelWithResponseStream(request, handler);
        running.set(call);
        if (stoppedBy.get() != null) {
            call.cancel(true);
        }
        try {
            call.join();
        } catch (CancellationException | CompletionException e) {
            if (stoppedBy.get() == null) {
                throw unwrap(e.getCause() == null ? e : e.getCause());
            }
        }
        if (stoppedBy.get() != null) {
            throw stoppedBy.get();
        }
    }

    /**
     * What ended the call: an exception of the chunk handler's own (it may be wrapped by the SDK's asynchronous
     * machinery), the service's error, or the SDK's failure to reach the service.
     */
    private static RuntimeException unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RuntimeException own
                    && !c.getClass().getName().startsWith("software.amazon.")
                    && !(c instanceof CompletionException)) {
                return own;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BedrockRuntimeException b) {
                // the modelled errors have their own classes, named as the service names them
                String error = b.getClass() != BedrockRuntimeException.class || b.awsErrorDetails() == null
                        ? b.getClass().getSimpleName()
                        : b.awsErrorDetails().errorCode();
                String message = b.awsErrorDetails() == null
                        ? b.getMessage()
                        : b.awsErrorDetails().errorMessage();
                return new Refused(error, message, b);
            }
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }
}
