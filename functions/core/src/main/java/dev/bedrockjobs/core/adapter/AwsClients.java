package dev.bedrockjobs.core.adapter;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the SDK clients the same way for every function: region, credentials and the url-connection HTTP client set
 * explicitly, and the endpoint taken from {@code AWS_ENDPOINT_URL_<SERVICE>} or {@code AWS_ENDPOINT_URL}, so one jar
 * talks to AWS or to a local emulator. Against an emulator, dummy static credentials are used unless keys are given.
 */
public final class AwsClients {
    private final Map<String, String> env;
    private DynamoDbClient dynamoDb;
    private SqsClient sqs;

    public AwsClients(Map<String, String> env) {
        this.env = env;
        // every function is wired through here once per container, so this is where its log format is set
        JsonLogging.installIfConfigured(env);
    }

    public Map<String, String> env() {
        return env;
    }

    public String required(String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return v;
    }

    public String optional(String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** One client per container, shared by every store that talks to the table. */
    public synchronized DynamoDbClient dynamoDb() {
        if (dynamoDb == null) {
            dynamoDb = configure(DynamoDbClient.builder(), "DYNAMODB", Duration.ofSeconds(10))
                    .build();
        }
        return dynamoDb;
    }

    public synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = configure(SqsClient.builder(), "SQS", Duration.ofSeconds(25)).build();
        }
        return sqs;
    }

    /**
     * Applies region, credentials, endpoint and an HTTP client with the given read timeout to any SDK client builder
     * (other modules use it for the clients only they need, such as Step Functions).
     */
    public <B extends AwsClientBuilder<B, C>, C> B configure(B builder, String serviceEnvSuffix, Duration readTimeout) {
        return configure(builder, serviceEnvSuffix, readTimeout, true);
    }

    /** As above; {@code retries = false} for calls that must not be repeated behind the caller's back. */
    public <B extends AwsClientBuilder<B, C>, C> B configure(
            B builder, String serviceEnvSuffix, Duration readTimeout, boolean retries) {
        Optional<URI> endpoint = endpointFor(serviceEnvSuffix);
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder();
        if (retries) {
            override.retryStrategy(RetryMode.STANDARD);
        } else {
            override.retryStrategy(AwsRetryStrategy.doNotRetry());
        }
        // Some operations prepend a host prefix (StartSyncExecution goes to "sync-states..."); an emulator on an IP
        // address must be reached as given.
        endpoint.ifPresent(
                e -> override.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true));
        builder.region(region())
                .credentialsProvider(credentials(endpoint.isPresent()))
                .overrideConfiguration(override.build());
        endpoint.ifPresent(builder::endpointOverride);
        if (builder instanceof software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
            sync.httpClientBuilder(UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(3))
                    .socketTimeout(readTimeout));
        }
        return builder;
    }

    public Region region() {
        return Region.of(optional("AWS_REGION", optional("AWS_DEFAULT_REGION", "us-east-1")));
    }

    public Optional<URI> endpointFor(String serviceEnvSuffix) {
        String specific = env.get("AWS_ENDPOINT_URL_" + serviceEnvSuffix);
        String general = env.get("AWS_ENDPOINT_URL");
        String chosen = specific != null && !specific.isBlank() ? specific : general;
        return chosen == null || chosen.isBlank() ? Optional.empty() : Optional.of(URI.create(chosen));
    }

    private AwsCredentialsProvider credentials(boolean emulator) {
        if (!emulator) {
            return DefaultCredentialsProvider.builder().build();
        }
        String id = optional("AWS_ACCESS_KEY_ID", "local");
        String secret = optional("AWS_SECRET_ACCESS_KEY", "local");
        String token = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(
                token == null
                        ? AwsBasicCredentials.create(id, secret)
                        : AwsSessionCredentials.create(id, secret, token));
    }
}
