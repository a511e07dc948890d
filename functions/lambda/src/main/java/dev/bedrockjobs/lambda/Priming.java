package dev.bedrockjobs.lambda;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2CustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.bedrockjobs.core.adapter.JobItems;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.WebhookEvent;
import dev.bedrockjobs.core.view.JobViews;
import dev.bedrockjobs.core.webhook.WebhookSigner;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the handlers run before a SnapStart snapshot (their CRaC {@code beforeCheckpoint} hooks), so that the classes
 * and code paths of a first request are loaded and compiled in the snapshot rather than after each restore: the
 * Jackson and DynamoDB item mapping of a representative job, and side-effect-free events for each handler's own path
 * (an unknown API key, a job that does not exist, a request that fails validation).
 *
 * <p>Everything here is fixed: no job id, token, API key or secret is generated, and no random generator is seeded
 * or drawn from, because whatever exists at snapshot time is shared by every environment restored from it. No event
 * here writes anything: the calls that reach AWS are reads of items that do not exist, and a call that fails (no
 * network before the snapshot, a denied permission) is ignored.
 */
public final class Priming {
    private static final Logger LOG = Logger.getLogger(Priming.class.getName());

    /** Well-formed, fixed, and never issued: {@code Ids} draws job ids from time and randomness, never all zeros. */
    static final String JOB_ID = "job_00000000000000000000000000";

    static final String TENANT = "snapstart-priming";
    /** The shape of an API key, not one: keys are 32 random bytes, and no key hashes to this one's stored hash. */
    static final String UNKNOWN_KEY = "bjk_" + "A".repeat(43);

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private static final String SECRET = "whsec_"
            + java.util.Base64.getEncoder()
                    .encodeToString("snapstart-priming-fixed-key-not-a-secret".getBytes(StandardCharsets.UTF_8));

    private Priming() {}

    /** Runs a warm-up step; a failure is expected at times (no network before the snapshot) and only logged. */
    public static void quietly(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "priming step '" + what + "' failed (harmless): " + e);
        }
    }

    /** A finished job as the service stores and shows it, with fixed ids, times and text. */
    static Job representativeJob() {
        return Job.builder()
                .id(JOB_ID)
                .tenantId(TENANT)
                .request(r -> r.tier("standard")
                        .modelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
                        .prompt("Review this function for off-by-one errors.")
                        .system("Be brief.")
                        .maxTokens(512)
                        .temperature(0.2)
                        .metadata(Map.of("repo", "priming"))
                        .webhookUrl("https://hooks.example.com/priming"))
                .progress(pr -> pr.status(JobStatus.SUCCEEDED)
                        .createdAt(AT)
                        .startedAt(AT.plusMillis(300))
                        .finishedAt(AT.plusSeconds(4))
                        .attempts(1)
                        .result(new Job.Result("Use i < n.", "end_turn")))
                .accounting(ac -> ac.usage(new Job.Usage(412, 38)).costUsd(new BigDecimal("0.001806")))
                .build();
    }

    /**
     * The JSON and item mapping every function shares: a representative job to its DynamoDB item and back, its API
     * view, its webhook event, and that event signed and parsed, as the webhook function does.
     */
    public static void jobJsonAndItems() {
        quietly("job json and items", () -> {
            Job job = JobItems.fromItem(
                    JobItems.toItem(representativeJob(), AT.plusSeconds(86_400).getEpochSecond()));
            String view = Json.write(JobViews.view(job));
            WebhookEvent event = JobViews.webhookEvent(job);
            WebhookSigner.of(SECRET)
                    .sign(event.id(), AT.getEpochSecond(), event.body().getBytes(StandardCharsets.UTF_8));
            Json.parse(view);
        });
    }

    /** An HTTP API request as it arrives after the authorizer, from the priming tenant. */
    public static APIGatewayV2HTTPEvent apiRequest(String method, String path, String body) {
        var authorizer = new APIGatewayV2HTTPEvent.RequestContext.Authorizer();
        authorizer.setLambda(Map.of("tenantId", TENANT, "keyId", "priming"));
        APIGatewayV2HTTPEvent.RequestContext ctx = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                        .withMethod(method)
                        .withPath(path)
                        .withProtocol("HTTP/1.1")
                        .withSourceIp("192.0.2.1")
                        .withUserAgent("priming")
                        .build())
                .withAuthorizer(authorizer)
                .withRequestId("priming")
                .withRouteKey(method + " " + path)
                .withStage("$default")
                .withTimeEpoch(AT.toEpochMilli())
                .build();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + path)
                .withRawPath(path)
                .withRawQueryString("")
                .withHeaders(Map.of("content-type", "application/json"))
                .withRequestContext(ctx)
                .withBody(body)
                .withIsBase64Encoded(false)
                .build();
    }

    /** GET of a job that does not exist: one strongly consistent read, answered 404. */
    public static APIGatewayV2HTTPEvent missingJobRequest() {
        APIGatewayV2HTTPEvent e = apiRequest("GET", "/v1/jobs/" + JOB_ID, null);
        e.setRouteKey("GET /v1/jobs/{id}");
        e.getRequestContext().setRouteKey("GET /v1/jobs/{id}");
        e.setPathParameters(Map.of("id", JOB_ID));
        return e;
    }

    /** A job submission that fails validation (an unknown field) after being parsed: answered 400, nothing stored. */
    public static APIGatewayV2HTTPEvent invalidSubmission() {
        APIGatewayV2HTTPEvent e = apiRequest(
                "POST",
                "/v1/jobs",
                "{\"prompt\": \"Review this function.\", \"model\": \"standard\", \"maxTokens\": 512, "
                        + "\"metadata\": {\"repo\": \"priming\"}, \"primingOnly\": true}");
        e.setRouteKey("POST /v1/jobs");
        e.getRequestContext().setRouteKey("POST /v1/jobs");
        return e;
    }

    /** An authorizer request with a key that does not exist: one read, answered "not authorized". */
    public static APIGatewayV2CustomAuthorizerEvent unknownKeyAuthorization() {
        return APIGatewayV2CustomAuthorizerEvent.builder()
                .withVersion("2.0")
                .withType("REQUEST")
                .withRouteArn("arn:aws:execute-api:us-east-1:000000000000:priming/$default/POST/v1/jobs")
                .withIdentitySource(List.of("Bearer " + UNKNOWN_KEY))
                .withRouteKey("POST /v1/jobs")
                .withRawPath("/v1/jobs")
                .withHeaders(Map.of("authorization", "Bearer " + UNKNOWN_KEY))
                .build();
    }

    /** A jobs-queue message for a job that does not exist: one read, then acknowledged as done. */
    public static SQSEvent missingJobMessage() {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("00000000-0000-0000-0000-000000000000");
        m.setReceiptHandle("priming");
        m.setBody("{\"jobId\":\"" + JOB_ID + "\",\"tenantId\":\"" + TENANT + "\"}");
        m.setAttributes(Map.of("ApproximateReceiveCount", "1", "SentTimestamp", String.valueOf(AT.toEpochMilli())));
        m.setEventSource("aws:sqs");
        SQSEvent e = new SQSEvent();
        e.setRecords(List.of(m));
        return e;
    }
}
