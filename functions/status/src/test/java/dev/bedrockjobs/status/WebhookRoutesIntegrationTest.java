package dev.bedrockjobs.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoWebhookDeliveries;
import dev.bedrockjobs.core.domain.DeliveryAttempt;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.view.JobViews;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import software.amazon.awssdk.services.sqs.model.Message;

/** GET /v1/jobs/{id}/webhook-deliveries and POST .../replay, against dynalite and ElasticMQ. */
class WebhookRoutesIntegrationTest {
    private static final String JOB_ID = "job_01JDQ8Z6V3N4T5R6S7P8Q9W0XY";
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private DynamoJobStore store;
    private DynamoWebhookDeliveries deliveries;
    private Map<String, String> env;
    private StatusHandler handler;

    @BeforeEach
    void finishedJobWithAWebhook() {
        String table = SharedEmulators.newJobsTable("webhook-routes");
        env = SharedEmulators.functionEnvironment(table, null);
        handler = new StatusHandler(env);
        store = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        deliveries = new DynamoWebhookDeliveries(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
        store.create(Job.builder()
                .id(JOB_ID)
                .tenantId("tenant-a")
                .request(rq -> rq.tier("fast")
                        .modelId("m")
                        .prompt("p")
                        .maxTokens(10)
                        .webhookUrl("https://hooks.example.com/x"))
                .progress(pr -> pr.createdAt(T0))
                .build());
    }

    private Job finish() {
        Job claimed = store.claim(JOB_ID, "tok", T0, T0.plusSeconds(60)).orElseThrow();
        Job done = claimed.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                        .finishedAt(T0.plusSeconds(5))
                        .attempts(1)
                        .result(new Job.Result("ok", "end_turn")))
                .build();
        store.finish(done);
        return store.get(JOB_ID).orElseThrow();
    }

    private void recordAttempt(WebhookEvent event, int n, int status) {
        deliveries.record(
                event,
                new DeliveryAttempt(
                        event.id(),
                        event.type().wire(),
                        event.url(),
                        n,
                        T0.plusSeconds(10L * n),
                        42,
                        status,
                        status >= 300 ? "HTTP " + status : null,
                        status < 300 ? DeliveryAttempt.Outcome.DELIVERED : DeliveryAttempt.Outcome.RETRY,
                        null,
                        null));
    }

    /** The event as API Gateway sends it for another route of the same job. */
    private static void route(APIGatewayV2HTTPEvent event, String routeKey, String path) {
        event.setRouteKey(routeKey);
        event.getRequestContext().setRouteKey(routeKey);
        event.setRawPath(path);
        event.getRequestContext().getHttp().setPath(path);
    }

    @ParameterizedTest
    @Event(value = "events/webhook-deliveries.json", type = APIGatewayV2HTTPEvent.class)
    void everyAttemptIsListedAndTheJobViewCountsThem(APIGatewayV2HTTPEvent event) {
        WebhookEvent terminal = JobViews.webhookEvent(finish());
        recordAttempt(terminal, 1, 500);
        recordAttempt(terminal, 2, 204);
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(200, r.getStatusCode());
        JsonNode items = Json.parse(r.getBody()).get("items");
        assertEquals(2, items.size());
        assertEquals(500, items.get(0).get("httpStatus").asInt());
        assertEquals("delivered", items.get(1).get("outcome").asText());

        route(event, "GET /v1/jobs/{id}", "/v1/jobs/" + JOB_ID);
        JsonNode webhook =
                Json.parse(handler.handleRequest(event, null).getBody()).get("webhook");
        assertEquals(2, webhook.get("deliveries").asInt());
        assertEquals(204, webhook.get("lastStatus").asInt());

        event.getRequestContext().getAuthorizer().setLambda(new HashMap<>(Map.of("tenantId", "tenant-b")));
        route(event, "GET /v1/jobs/{id}/webhook-deliveries", "/v1/jobs/" + JOB_ID + "/webhook-deliveries");
        assertEquals(404, handler.handleRequest(event, null).getStatusCode());
    }

    @ParameterizedTest
    @Event(value = "events/replay-webhook.json", type = APIGatewayV2HTTPEvent.class)
    void replayResendsTheTerminalEventWithTheSameIdAndBody(APIGatewayV2HTTPEvent event) {
        assertEquals(409, handler.handleRequest(event, null).getStatusCode(), "no terminal event yet");
        WebhookEvent terminal = JobViews.webhookEvent(finish());
        recordAttempt(terminal, 1, 410);
        APIGatewayV2HTTPResponse r = handler.handleRequest(event, null);
        assertEquals(202, r.getStatusCode());
        assertEquals(terminal.id(), Json.parse(r.getBody()).get("eventId").asText());
        List<Message> sent = SharedEmulators.sqsClient()
                .receiveMessage(q -> q.queueUrl(env.get("WEBHOOKS_QUEUE_URL"))
                        .maxNumberOfMessages(10)
                        .waitTimeSeconds(1))
                .messages();
        assertEquals(1, sent.size());
        WebhookEvent replayed = WebhookEvent.fromMessage(sent.get(0).body());
        assertEquals(terminal.id(), replayed.id());
        assertEquals(terminal.body(), replayed.body(), "the same bytes are signed and sent again");
    }
}
