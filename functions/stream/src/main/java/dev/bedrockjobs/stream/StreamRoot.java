package dev.bedrockjobs.stream;

import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.work.StreamedModelCall;
import dev.bedrockjobs.lambda.Components;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;

/** The streaming function's composition root: one streamed model call service, built once per instance. */
public final class StreamRoot {
    private StreamRoot() {}

    public static StreamedModelCall call(Map<String, String> env) {
        Components c = new Components(env);
        return new StreamedModelCall(c.jobStore(), c.jobOutput(), new BedrockModelStream(bedrock(c.aws())), c.clock());
    }

    /**
     * The state machine's Retry is the only retry policy, as for the plain model call: the client does not retry.
     * A stream may pause between chunks for as long as the model thinks, so reads wait as long as an attempt may.
     */
    private static BedrockRuntimeAsyncClient bedrock(AwsClients aws) {
        return aws.configure(BedrockRuntimeAsyncClient.builder(), "BEDROCK_RUNTIME", Duration.ofMinutes(5), false)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        // the SDK asks for HTTP/2 for this service; the service streams over HTTP/1.1 as well, as
                        // the local simulator does, so one protocol serves both and the stack runs as deployed
                        .protocol(Protocol.HTTP1_1)
                        .connectionTimeout(Duration.ofSeconds(3))
                        .readTimeout(Duration.ofMinutes(5))
                        .maxConcurrency(8))
                .build();
    }
}
