package dev.bedrockjobs.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/** SubmitHandler with real-shaped events, against dynalite and ElasticMQ. */
class SubmitHandlerIntegrationTest {
    private final DynamoDbClient dynamo = SharedEmulators.dynamoClient();
    private final SqsClient sqs = SharedEmulators.sqsClient();
    private String table;
    private String queueUrl;
    private SubmitHandler handler;

    @BeforeEach
    void freshTableAndQueue() {
        table = SharedEmulators.newJobsTable("submit");
        queueUrl = SharedEmulators.newQueue("submit", Map.of());
        handler = new SubmitHandler(SharedEmulators.functionEnvironment(table, queueUrl));
    }

    private List<Message> messages() {
        return sqs.receiveMessage(
                        r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                .messages();
    }

    /** The items a request stored, not the lanes' ticket counters (one item per lane, shared by every submit). */
    private int itemCount() {
        return dynamo.scan(s -> s.tableName(table)
                        .filterExpression("NOT begins_with(pk, :lane)")
                        .expressionAttributeValues(Map.of(":lane", AttributeValue.fromS("LANE#"))))
                .count();
    }

    @ParameterizedTest
    @Event(value = "events/submit-job.json", type = APIGatewayV2HTTPEvent.class)
    void acceptsAJobStoresItThenEnqueuesIt(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        JsonNode view = Json.parse(r.getBody());
        String id = view.get("id").asText();
        assertEquals("/v1/jobs/" + id, r.getHeaders().get("location"));
        assertEquals("2", r.getHeaders().get("retry-after"));
        assertEquals("queued", view.get("status").asText());
        assertEquals("fast", view.get("model").asText());
        assertEquals("payments", view.get("metadata").get("repo").asText());
        assertFalse(view.has("prompt"), "the prompt is never echoed");
        List<Message> sent = messages();
        assertEquals(1, sent.size());
        assertEquals(id, Json.parse(sent.get(0).body()).get("jobId").asText());
        assertEquals(1, itemCount());
    }

    @ParameterizedTest
    @Event(value = "events/submit-job-invalid.json", type = APIGatewayV2HTTPEvent.class)
    void refusesBadInputNamingEveryFieldAndWritesNothing(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(400, r.getStatusCode());
        assertEquals("application/problem+json", r.getHeaders().get("content-type"));
        JsonNode problem = Json.parse(r.getBody());
        assertEquals("validation_failed", problem.get("code").asText());
        assertEquals(400, problem.get("status").asInt());
        List<String> fields = problem.get("errors").findValuesAsText("field");
        assertEquals(List.of("temprature", "prompt", "model", "maxTokens"), fields);
        assertEquals(0, itemCount());
        assertTrue(messages().isEmpty());
    }

    @ParameterizedTest
    @Event(value = "events/submit-job-unauthenticated.json", type = APIGatewayV2HTTPEvent.class)
    void refusesARequestTheAuthorizerDidNotResolve(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(401, r.getStatusCode());
        assertEquals(0, itemCount());
    }

    @ParameterizedTest
    @Event(value = "events/submit-job-idempotent.json", type = APIGatewayV2HTTPEvent.class)
    void theSameKeyAndBodyReturnsTheOriginalAndAnotherBodyConflicts(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse first = handler.handleRequest(event, null);
        APIGatewayV2HTTPResponse replay = handler.handleRequest(event, null);
        assertEquals(202, first.getStatusCode());
        assertEquals(200, replay.getStatusCode());
        assertEquals(
                Json.parse(first.getBody()).get("id"),
                Json.parse(replay.getBody()).get("id"));
        assertEquals(1, messages().size());

        event.setBody("{\"prompt\":\"Something else entirely.\"}");
        APIGatewayV2HTTPResponse reused = handler.handleRequest(event, null);
        assertEquals(409, reused.getStatusCode());
        assertEquals(
                "idempotency_key_reused",
                Json.parse(reused.getBody()).get("code").asText());

        // The same key from another tenant is another tenant's business: a new job.
        event.setBody(
                first.getBody() == null
                        ? null
                        : Json.write(Map.of(
                                "prompt", "Summarize the release notes.", "system", "Answer in three bullet points.")));
        event.getRequestContext().getAuthorizer().setLambda(new HashMap<>(Map.of("tenantId", "tenant-b")));
        APIGatewayV2HTTPResponse other = handler.handleRequest(event, null);
        assertEquals(202, other.getStatusCode());
        assertNotEquals(
                Json.parse(first.getBody()).get("id"),
                Json.parse(other.getBody()).get("id"));
    }

    @ParameterizedTest
    @Event(value = "events/submit-job.json", type = APIGatewayV2HTTPEvent.class)
    void refusesOtherContentTypesAndInvalidUtf8(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.put("content-type", "text/plain");
        event.setHeaders(headers);
        assertEquals(415, handler.handleRequest(event, null).getStatusCode());

        headers.put("content-type", "application/json; charset=utf-8");
        event.setIsBase64Encoded(true);
        byte[] bad = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        event.setBody(Base64.getEncoder().encodeToString(bad));
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(400, r.getStatusCode());
        assertTrue(r.getBody().contains("UTF-8"));

        event.setBody(Base64.getEncoder().encodeToString("{\"prompt\":\"ok\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(202, handler.handleRequest(event, null).getStatusCode());
        assertEquals(1, itemCount());
    }
}
