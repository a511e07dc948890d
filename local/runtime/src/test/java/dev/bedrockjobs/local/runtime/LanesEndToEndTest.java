package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Which lane a job waits in, over real HTTP: single jobs in the interactive lane's queue, batch items in the bulk
 * lane's, each message naming its share group, and where a queued job stands. The event sources are off, so every
 * message stays where the submit function put it; a restart on the same data puts what was unfinished back in the
 * same lanes.
 */
class LanesEndToEndTest {
    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;
    private static SqsClient sqs;

    @BeforeAll
    static void start() throws IOException {
        stack = startStack();
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .build();
    }

    private static LocalStack startStack() {
        return LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .eventSourcesEnabled(false)
                .build());
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** Every message now in a queue, by job id, with its MessageGroupId; received and made visible again. */
    private static Map<String, String> groupsByJob(String queueName) {
        String url = sqs.getQueueUrl(g -> g.queueName(queueName)).queueUrl();
        Map<String, String> groups = new HashMap<>();
        List<Message> seen = new ArrayList<>();
        List<Message> page;
        do {
            page = sqs.receiveMessage(r -> r.queueUrl(url)
                            .maxNumberOfMessages(10)
                            .visibilityTimeout(30)
                            .messageSystemAttributeNames(MessageSystemAttributeName.MESSAGE_GROUP_ID))
                    .messages();
            for (Message m : page) {
                groups.put(jobIdOf(m), m.attributes().get(MessageSystemAttributeName.MESSAGE_GROUP_ID));
            }
            seen.addAll(page);
        } while (!page.isEmpty());
        // visible again at once, so that the lanes' counts (a queued job's position) are as the submits left them
        for (Message m : seen) {
            sqs.changeMessageVisibility(
                    c -> c.queueUrl(url).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        }
        return groups;
    }

    private static String jobIdOf(Message m) {
        try {
            return ApiClient.JSON.readTree(m.body()).path("jobId").asText();
        } catch (IOException e) {
            throw new AssertionError("not a job message: " + m.body(), e);
        }
    }

    private static String submitJob(ApiClient client, String extra) {
        HttpResponse<String> r = client.postJson("/v1/jobs", "{\"prompt\": \"lane test\"" + extra + "}");
        assertEquals(202, r.statusCode(), r.body());
        return ApiClient.json(r).path("id").asText();
    }

    private static HttpResponse<String> submitBatch(ApiClient client, String extra) {
        return client.postJson("/v1/batches", "{\"items\": [{\"prompt\": \"a\"}, {\"prompt\": \"b\"}]" + extra + "}");
    }

    @Test
    void aSingleJobWaitsInTheInteractiveLaneAndABatchInTheBulkLaneEachInItsShareGroup() {
        String job = submitJob(api, "");
        HttpResponse<String> batch = submitBatch(api, "");
        assertEquals(202, batch.statusCode(), batch.body());
        String batchId = ApiClient.json(batch).path("id").asText();

        Map<String, String> interactive = groupsByJob("JobsQueue");
        Map<String, String> bulk = groupsByJob("BulkJobsQueue");
        assertEquals("dev", interactive.get(job), "a single job's share group is its tenant");
        assertTrue(!bulk.containsKey(job), bulk.toString());
        assertEquals(
                2,
                bulk.values().stream().filter(("dev/" + batchId)::equals).count(),
                "a batch item's share group is its batch: " + bulk);
        assertTrue(interactive.keySet().stream().noneMatch(bulk::containsKey), "each message in one lane only");
    }

    @Test
    void aJobMayAskForTheBulkLaneAndAnUnknownPriorityIsRefused() {
        String job = submitJob(api, ", \"priority\": \"bulk\"");
        assertEquals("dev", groupsByJob("BulkJobsQueue").get(job));
        assertTrue(!groupsByJob("JobsQueue").containsKey(job));

        HttpResponse<String> bad = api.postJson("/v1/jobs", "{\"prompt\": \"x\", \"priority\": \"urgent\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals(
                "priority",
                ApiClient.json(bad).path("errors").path(0).path("field").asText(),
                bad.body());
    }

    @Test
    void aBatchTakesTheInteractiveLaneOnlyWhenItsTenantIsAllowed() {
        int before = groupsByJob("JobsQueue").size();
        HttpResponse<String> refused = submitBatch(api, ", \"priority\": \"interactive\"");
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals(
                "interactive_batches_not_allowed",
                ApiClient.json(refused).path("code").asText());
        assertEquals(before, groupsByJob("JobsQueue").size(), "a refused batch enqueues nothing");

        // set before the tenant's first request, so that no submit instance holds its settings from before
        String key = stack.createTenant("lanes-allowed");
        stack.setTenantLimits("lanes-allowed", new TenantLimits.Overrides(null, null, null, null, null, true));
        ApiClient allowed = new ApiClient(stack.apiUrl(), key);
        HttpResponse<String> accepted = submitBatch(allowed, ", \"priority\": \"interactive\"");
        assertEquals(202, accepted.statusCode(), accepted.body());
        String batchId = ApiClient.json(accepted).path("id").asText();
        assertEquals(
                2,
                groupsByJob("JobsQueue").values().stream()
                        .filter(("lanes-allowed/" + batchId)::equals)
                        .count());
    }

    @Test
    void aQueuedJobSaysWhereItStandsInItsLane() {
        HttpResponse<String> batch = submitBatch(api, "");
        String first = ApiClient.json(batch).path("jobs").path(0).path("id").asText();
        String second = ApiClient.json(batch).path("jobs").path(1).path("id").asText();
        JsonNode a = ApiClient.json(api.get("/v1/jobs/" + first));
        JsonNode b = ApiClient.json(api.get("/v1/jobs/" + second));
        assertEquals("bulk", a.path("priority").asText());
        long position = a.path("queue").path("position").asLong();
        assertTrue(position >= 1, a.toString());
        // nothing runs here: the one behind is one further back, and with no throughput yet there is no ETA
        assertEquals(position + 1, b.path("queue").path("position").asLong(), b.toString());
        assertTrue(
                a.path("queue").has("etaSeconds")
                        && a.path("queue").path("etaSeconds").isNull(),
                a.toString());
        JsonNode view = ApiClient.json(
                api.get("/v1/batches/" + ApiClient.json(batch).path("id").asText()));
        assertTrue(view.has("etaSeconds") && view.path("etaSeconds").isNull(), "no item finished yet: " + view);
    }

    @Test
    void aRestartPutsEveryUnfinishedJobBackInItsOwnLane() throws Exception {
        String job = submitJob(api, "");
        String bulkJob = submitJob(api, ", \"priority\": \"bulk\"");
        HttpResponse<String> batch = submitBatch(api, "");
        String batchId = ApiClient.json(batch).path("id").asText();
        stack.close();
        stack = startStack(); // the embedded queues start empty; the table is kept
        stack.awaitRedrive(Duration.ofSeconds(30));
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        sqs.close();
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .build();
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());

        Map<String, String> interactive = groupsByJob("JobsQueue");
        Map<String, String> bulk = groupsByJob("BulkJobsQueue");
        assertEquals("dev", interactive.get(job));
        assertEquals("dev", bulk.get(bulkJob));
        assertEquals(
                2, bulk.values().stream().filter(("dev/" + batchId)::equals).count(), bulk.toString());
        assertTrue(!interactive.containsKey(bulkJob) && !bulk.containsKey(job));
    }
}
