package dev.bedrockjobs.local.emulators.sfn;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/** An {@link SfnClient} configured as the worker must configure it for a local endpoint. */
final class LocalSfnClients {

    private LocalSfnClients() {}

    static SfnClient sfn(URI endpoint) {
        return SfnClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                // StartSyncExecution blocks for the whole execution: the read timeout must outlast it.
                .httpClient(UrlConnectionHttpClient.builder()
                        .socketTimeout(Duration.ofMinutes(6))
                        .build())
                .overrideConfiguration(o -> o
                        // Without this the SDK sends StartSyncExecution to "sync-127.0.0.1", which does not resolve.
                        .putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true)
                        .retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }
}
