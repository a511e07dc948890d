package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.local.emulators.bedrock.BedrockSimulator;
import dev.bedrockjobs.local.emulators.sfn.bedrock.BedrockInvokeModelResource;
import java.net.URI;
import java.time.Duration;
import java.util.logging.Logger;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient;

/**
 * Where the Step Functions Bedrock task sends model calls: the local simulator (latency, throttling and failure
 * rates from the flags), or the real Bedrock runtime with the default credentials and region chains.
 */
final class LocalBedrock implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalBedrock.class.getName());
    private final BedrockSimulator simulator;
    private final BedrockRuntimeClient awsClient;
    private final BedrockInvokeModelResource resource;
    private final URI endpoint;

    private LocalBedrock(
            BedrockSimulator simulator,
            BedrockRuntimeClient awsClient,
            BedrockInvokeModelResource resource,
            URI endpoint) {
        this.simulator = simulator;
        this.awsClient = awsClient;
        this.resource = resource;
        this.endpoint = endpoint;
    }

    static LocalBedrock start(LocalOptions options) {
        if (options.bedrock() == LocalOptions.BedrockMode.AWS) {
            if (options.modelLatencyMillis() > 0
                    || options.modelTokensPerSecond() > 0
                    || options.throttleRate() > 0
                    || options.failureRate() > 0) {
                LOG.warning("--model-latency-ms, --model-tokens-per-second, --throttle-rate and --failure-rate shape "
                        + "the simulator only; they do nothing with --bedrock aws");
            }
            return aws();
        }
        BedrockSimulator simulator = new BedrockSimulator(BedrockSimulator.Config.builder()
                        .latencyMillis(options.modelLatencyMillis())
                        .tokensPerSecond(options.modelTokensPerSecond())
                        .throttleRate(options.throttleRate())
                        .failureRate(options.failureRate())
                        .hangRate(options.faults().hangRate())
                        // Random faults must differ between runs, or every restart would replay the same sequence.
                        .seed(System.nanoTime())
                        .build())
                .start();
        return new LocalBedrock(
                simulator, null, BedrockInvokeModelResource.forEndpoint(simulator.endpoint()), simulator.endpoint());
    }

    private static LocalBedrock aws() {
        Region region;
        try {
            region = DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            throw new IllegalStateException("--bedrock aws needs a region: set AWS_REGION or a profile region", e);
        }
        BedrockRuntimeClient client = BedrockRuntimeClient.builder()
                .region(region)
                // The state's TimeoutSeconds bounds each call; the socket timeout only catches a silent connection.
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofMinutes(10)))
                // The state machine's Retry is the only retry policy, as in Step Functions.
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        return new LocalBedrock(
                null,
                client,
                new BedrockInvokeModelResource(client),
                URI.create("https://bedrock-runtime." + region.id() + ".amazonaws.com"));
    }

    BedrockInvokeModelResource resource() {
        return resource;
    }

    URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        resource.close();
        if (awsClient != null) {
            awsClient.close();
        }
        if (simulator != null) {
            simulator.close();
        }
    }
}
