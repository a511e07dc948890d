package dev.bedrockjobs.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.adapter.DynamoJobOutput;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.model.ModelCodecs;
import dev.bedrockjobs.core.model.ModelRequest;
import dev.bedrockjobs.core.work.ModelRefused;
import dev.bedrockjobs.core.work.ModelThrottled;
import dev.bedrockjobs.local.emulators.bedrock.BedrockSimulator;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The streaming function through its handler, as the state machine's task invokes it, against the Bedrock simulator's
 * real event stream (read by the SDK's own parser) and dynalite.
 */
class StreamHandlerIntegrationTest {
    private static final String MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
    private static BedrockSimulator bedrock;
    private static BedrockSimulator pacedBedrock;
    private static String table;
    private static DynamoJobStore store;
    private static DynamoJobOutput output;

    @BeforeAll
    static void start() {
        bedrock = new BedrockSimulator().start();
        pacedBedrock = new BedrockSimulator(
                        BedrockSimulator.Config.builder().tokensPerSecond(8).build())
                .start();
        table = SharedEmulators.newJobsTable("stream");
        store = new DynamoJobStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(1));
        output = new DynamoJobOutput(SharedEmulators.dynamoClient(), table, Duration.ofDays(1), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        bedrock.close();
        pacedBedrock.close();
    }

    private static StreamHandler handler(BedrockSimulator simulator) {
        Map<String, String> env = new HashMap<>(SharedEmulators.functionEnvironment(table, null));
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", simulator.endpoint().toString());
        return new StreamHandler(env);
    }

    /** A running job claimed under {@code writer}, as the worker leaves it before it starts the state machine. */
    private static String runningJob(String prompt, String writer) {
        String id = Ids.newJobId(Instant.now());
        assertTrue(store.create(Job.builder()
                .id(id)
                .tenantId("t")
                .request(r -> r.tier("fast").modelId(MODEL).prompt(prompt).maxTokens(200).stream(true))
                .progress(p -> p.createdAt(Instant.now()))
                .build()));
        assertTrue(store.claim(id, writer, Instant.now(), Instant.now().plusSeconds(120))
                .isPresent());
        return id;
    }

    private static Map<String, Object> input(String jobId, String prompt, String writer) {
        ObjectNode body = ModelCodecs.forModel(MODEL).requestBody(new ModelRequest(prompt, null, 200, null));
        Map<String, Object> in = new HashMap<>();
        in.put("jobId", jobId);
        in.put("modelId", MODEL);
        in.put("body", Json.MAPPER.convertValue(body, Map.class));
        in.put("writer", writer);
        return in;
    }

    private static String stored(String jobId) {
        return output.readFrom(jobId, 0, Integer.MAX_VALUE).text();
    }

    private static JsonNode run(StreamHandler handler, String jobId, String prompt, String writer) {
        return Json.MAPPER.valueToTree(handler.handleRequest(input(jobId, prompt, writer), null));
    }

    @Test
    void aWholeAnswerIsStoredPieceByPieceAndReturnedTheSameAsTheAnswerNotStreamed() throws Exception {
        String prompt = "Review: int f(int x) { return x / 0; }";
        String id = runningJob(prompt, "w1");
        JsonNode out = run(handler(bedrock), id, prompt, "w1");
        assertEquals("completed", out.path("ending").asText());
        String text = out.path("reply").path("text").asText();
        assertFalse(text.isBlank());
        assertEquals(text, stored(id), "the pieces are the answer, byte for byte");
        assertTrue(out.path("pieces").asInt() >= 1);
        assertTrue(out.path("reply").path("outputTokens").asLong() > 0);
        assertFalse(out.path("reply").path("tokensEstimated").asBoolean(), "counted by Bedrock's metrics");

        // the same prompt answered without streaming
        var plain = software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeClient.builder()
                .endpointOverride(bedrock.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder())
                .build();
        ObjectNode body = ModelCodecs.forModel(MODEL).requestBody(new ModelRequest(prompt, null, 200, null));
        JsonNode answer = Json.parse(plain.invokeModel(b ->
                        b.modelId(MODEL).body(software.amazon.awssdk.core.SdkBytes.fromUtf8String(Json.write(body))))
                .body()
                .asUtf8String());
        assertEquals(ModelCodecs.forModel(MODEL).readReply(answer).text(), text);
        plain.close();
    }

    @Test
    void aThrottledCallIsThrownForTheStateMachinesRetryWithNothingStored() {
        String prompt = "Explain [[throttle:1]] this.";
        String id = runningJob(prompt, "w1");
        ModelThrottled thrown = assertThrows(ModelThrottled.class, () -> run(handler(bedrock), id, prompt, "w1"));
        assertTrue(thrown.getMessage().startsWith("ThrottlingException: "), thrown.getMessage());
        assertEquals("", stored(id));
        JsonNode retried = run(handler(bedrock), id, prompt, "w1");
        assertEquals("completed", retried.path("ending").asText(), "the retry's stream is whole");
        assertEquals(retried.path("reply").path("text").asText(), stored(id));
    }

    @Test
    void aStreamThatBreaksOffAfterItsAnswerBeganReturnsInterruptedWithThePartStored() {
        String prompt = "Explain [[midstream:4]] this.";
        String id = runningJob(prompt, "w1");
        JsonNode out = run(handler(bedrock), id, prompt, "w1");
        assertEquals("interrupted", out.path("ending").asText());
        assertTrue(out.path("error").asText().startsWith("ModelStreamErrorException: "), out.toString());
        String partial = out.path("reply").path("text").asText();
        assertFalse(partial.isEmpty());
        assertEquals(partial, stored(id), "the part written is kept");

        JsonNode again = run(handler(bedrock), id, prompt, "w1");
        assertEquals("interrupted", again.path("ending").asText(), "a second try may not write over the first");
        assertEquals(partial, stored(id));
    }

    @Test
    void aCancelAskedForWhileTheAnswerStreamsStopsItWithinAboutASecond() throws Exception {
        String prompt = "Write a long review of this diff, please.";
        String id = runningJob(prompt, "w1");
        StreamHandler handler = handler(pacedBedrock); // built first: its start-up is not the stream's time
        CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(() -> run(handler, id, prompt, "w1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (stored(id).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(stored(id).isEmpty(), "the answer began");
        assertTrue(store.requestCancel(id));
        long asked = System.nanoTime();
        JsonNode out = running.get(20, TimeUnit.SECONDS);
        long tookMillis = (System.nanoTime() - asked) / 1_000_000;
        assertEquals("canceled", out.path("ending").asText());
        assertEquals(out.path("reply").path("text").asText(), stored(id), "what came before the cancel is kept");
        assertTrue(tookMillis < 5_000, "stopped " + tookMillis + " ms after the cancel");
    }

    @Test
    void aCallThatIsNoLongerTheJobsClaimIsRefusedBeforeItCallsTheModel() {
        String prompt = "Explain this.";
        String id = runningJob(prompt, "w1");
        int before = bedrock.calls().requests();
        ModelRefused refused = assertThrows(ModelRefused.class, () -> run(handler(bedrock), id, prompt, "stale"));
        assertTrue(refused.getMessage().startsWith("StaleModelCall: "), refused.getMessage());
        assertEquals(before, bedrock.calls().requests());
        assertEquals("", stored(id));
        assertEquals(JobStatus.RUNNING, store.get(id).orElseThrow().progress().status());
    }
}
