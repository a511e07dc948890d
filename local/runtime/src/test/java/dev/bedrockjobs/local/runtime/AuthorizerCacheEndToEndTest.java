package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.AwsClients;
import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The authorizer's answer is cached per Authorization header for AuthorizerCacheSeconds, read from template.yaml
 * (here overridden to 3 s): a disabled key keeps working until its cached answer expires, and not after.
 */
class AuthorizerCacheEndToEndTest {
    private static final long TTL_SECONDS = 3;

    @TempDir
    static Path data;

    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .parameter("AuthorizerCacheSeconds", String.valueOf(TTL_SECONDS))
                .build());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aDisabledKeyStopsWorkingWhenTheCachedAnswerExpires() throws Exception {
        String key = stack.createTenant("cache-" + UUID.randomUUID());
        ApiClient api = new ApiClient(stack.apiUrl(), key);
        long authorizedAt = System.nanoTime();
        assertEquals(200, api.get("/v1/jobs").statusCode());

        // The operator disables the key in the table the stack advertises in endpoints.json.
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        try (DynamoDbClient dynamo = new AwsClients(Map.of(
                        "AWS_ENDPOINT_URL_DYNAMODB", endpoints.path("dynamodb").asText(), "AWS_REGION", "us-east-1"))
                .dynamoDb()) {
            DynamoApiKeys keys =
                    new DynamoApiKeys(dynamo, endpoints.path("jobsTable").asText());
            assertTrue(keys.disableKey(ApiKey.idFor(ApiKey.hash(key)))
                    .orElseThrow()
                    .disabled());
        }

        HttpResponse<String> cached = api.get("/v1/jobs");
        long elapsedMillis = (System.nanoTime() - authorizedAt) / 1_000_000;
        if (elapsedMillis < TTL_SECONDS * 1000) {
            assertEquals(200, cached.statusCode(), "within the TTL the cached allow still answers");
        }

        Thread.sleep(Math.max(0, TTL_SECONDS * 1000 - (System.nanoTime() - authorizedAt) / 1_000_000) + 200);
        HttpResponse<String> denied = api.get("/v1/jobs");
        assertEquals(401, denied.statusCode(), denied.body());
        assertEquals(
                "application/problem+json",
                denied.headers().firstValue("content-type").orElseThrow());
        assertEquals("unauthorized", ApiClient.json(denied).path("code").asText());
        assertEquals(401, api.postJson("/v1/jobs", "{\"prompt\": \"hi\"}").statusCode(), "on every route");

        assertEquals(
                200,
                new ApiClient(stack.apiUrl(), stack.devApiKey()).get("/v1/jobs").statusCode(),
                "other keys are unaffected");
    }
}
