package dev.bedrockjobs.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/** POST /v1/batches with a real-shaped event, against dynalite and ElasticMQ. */
class SubmitBatchIntegrationTest {
    private final DynamoDbClient dynamo = SharedEmulators.dynamoClient();
    private final SqsClient sqs = SharedEmulators.sqsClient();
    private String table;
    private String queueUrl;
    private SubmitHandler handler;

    @BeforeEach
    void freshTableAndQueue() {
        table = SharedEmulators.newJobsTable("batch");
        queueUrl = SharedEmulators.newQueue("batch", Map.of());
        handler = new SubmitHandler(SharedEmulators.functionEnvironment(table, queueUrl));
    }

    private int queuedMessages() {
        return Integer.parseInt(sqs.getQueueAttributes(
                        r -> r.queueUrl(queueUrl).attributeNamesWithStrings("ApproximateNumberOfMessages"))
                .attributesAsStrings()
                .get("ApproximateNumberOfMessages"));
    }

    /** The items a request stored, not the lanes' ticket counters (one item per lane, shared by every submit). */
    private int itemCount() {
        return dynamo.scan(s -> s.tableName(table)
                        .filterExpression("NOT begins_with(pk, :lane)")
                        .expressionAttributeValues(Map.of(":lane", AttributeValue.fromS("LANE#"))))
                .count();
    }

    @ParameterizedTest
    @Event(value = "events/submit-batch.json", type = APIGatewayV2HTTPEvent.class)
    void acceptsABatchWritesEveryJobAndEnqueuesThem(APIGatewayV2HTTPEvent event) {
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        JsonNode view = Json.parse(r.getBody());
        String id = view.get("id").asText();
        assertEquals("/v1/batches/" + id, r.getHeaders().get("location"));
        assertEquals("running", view.get("status").asText());
        assertEquals(3, view.get("counts").get("total").asInt());
        assertEquals(3, view.get("counts").get("queued").asInt());
        assertEquals(
                List.of(
                        "src/main/java/app/Service0.java",
                        "src/main/java/app/Service1.java",
                        "src/main/java/app/Service2.java"),
                view.get("jobs").findValuesAsText("customId"));
        assertEquals(3, queuedMessages());
        assertEquals(5, itemCount(), "three jobs, the batch and its one part");
    }

    @ParameterizedTest
    @Event(value = "events/submit-batch.json", type = APIGatewayV2HTTPEvent.class)
    void aThousandItemsGoInOneRequest(APIGatewayV2HTTPEvent event) {
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("items");
        for (int i = 0; i < 1000; i++) {
            items.addObject().put("customId", "f" + i).put("prompt", "Review file " + i);
        }
        event.setBody(Json.write(body));
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        Set<String> ids = new HashSet<>(Json.parse(r.getBody()).get("jobs").findValuesAsText("id"));
        assertEquals(1000, ids.size());
        assertEquals(1000, queuedMessages());
        assertEquals(1000 + 1 + 10, itemCount(), "the jobs, the batch and its ten parts of a hundred");
    }

    @ParameterizedTest
    @Event(value = "events/submit-batch.json", type = APIGatewayV2HTTPEvent.class)
    void oneBadItemRejectsTheWholeBatchAndNothingIsWritten(APIGatewayV2HTTPEvent event) {
        event.setBody("{\"items\":[{\"prompt\":\"fine\"},{\"prompt\":\"\"},{\"prompt\":\"x\",\"maxTokens\":-1}]}");
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(400, r.getStatusCode());
        assertEquals(
                List.of("items[1].prompt", "items[2].maxTokens"),
                Json.parse(r.getBody()).get("errors").findValuesAsText("field"));
        assertEquals(0, itemCount());
        assertEquals(0, queuedMessages());
    }

    @ParameterizedTest
    @Event(value = "events/submit-batch.json", type = APIGatewayV2HTTPEvent.class)
    void anIdempotentReplayReturnsTheSameBatch(APIGatewayV2HTTPEvent event) {
        Map<String, String> headers = new HashMap<>(event.getHeaders());
        headers.put("idempotency-key", "review-pr-1842");
        event.setHeaders(headers);
        APIGatewayV2HTTPResponse first = handler.handleRequest(event, null);
        APIGatewayV2HTTPResponse again = handler.handleRequest(event, null);
        assertEquals(202, first.getStatusCode());
        assertEquals(200, again.getStatusCode());
        assertEquals(
                Json.parse(first.getBody()).get("id"),
                Json.parse(again.getBody()).get("id"));
        assertEquals(3, queuedMessages());
        event.setBody("{\"items\":[{\"prompt\":\"another\"}]}");
        assertEquals(409, handler.handleRequest(event, null).getStatusCode());
        assertEquals(6, itemCount(), "three jobs, the batch, its part and the idempotency record; nothing more");
    }
}
