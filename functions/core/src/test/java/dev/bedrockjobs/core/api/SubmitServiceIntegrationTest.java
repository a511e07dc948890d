package dev.bedrockjobs.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoLaneStats;
import dev.bedrockjobs.core.adapter.DynamoLimitCounters;
import dev.bedrockjobs.core.adapter.DynamoResponseCache;
import dev.bedrockjobs.core.adapter.DynamoTenantLimitOverrides;
import dev.bedrockjobs.core.adapter.DynamoUsageMeter;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.port.UsageMeter;
import dev.bedrockjobs.core.webhook.WebhookUrlPolicy;
import dev.bedrockjobs.core.work.JobOutcomes;
import dev.bedrockjobs.core.work.TenantLedger;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The submit path against dynalite and ElasticMQ, with DynamoDB calls failed on demand: whatever fails, the budget
 * hold and the active-job slots a request took are held afterwards only by jobs that were stored.
 */
class SubmitServiceIntegrationTest {
    private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
    private static final String TENANT = "tenant-a";
    private static final TenantLimits LIMITS = new TenantLimits(0, 100, 10_000_000, new BigDecimal("1000"), false);

    private final Faults faults = new Faults();
    private final DynamoDbClient dynamo = SharedEmulators.dynamoClient();
    private String table;
    private DynamoJobStore jobs;
    private SubmitService service;

    @BeforeEach
    void fresh() {
        table = SharedEmulators.newJobsTable("submit-service");
        jobs = new DynamoJobStore(dynamo, table, Duration.ofDays(1));
        DynamoDbClient faulty = DynamoDbClient.builder()
                .endpointOverride(SharedEmulators.dynalite().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(faults))
                .build();
        SqsClient sqs = SharedEmulators.sqsClient();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        ModelCatalog catalog = ModelCatalog.from(Map.of());
        DynamoUsageMeter usage = new DynamoUsageMeter(faulty, table);
        DynamoLimitCounters counters = new DynamoLimitCounters(faulty, table);
        DynamoResponseCache cache = new DynamoResponseCache(faulty, table);
        DynamoBatchStore batches = new DynamoBatchStore(faulty, table, Duration.ofDays(1));
        DynamoJobStore faultyJobs = new DynamoJobStore(faulty, table, Duration.ofDays(1));
        service = new SubmitService(
                faultyJobs,
                batches,
                new SqsJobQueue(sqs, SharedEmulators.newQueue("submit-service", Map.of())),
                new JobRequestParser(catalog, RequestLimits.DEFAULT, new WebhookUrlPolicy(true)),
                catalog,
                clock,
                Duration.ofHours(24),
                new SubmitLimits(
                        new DynamoTenantLimitOverrides(faulty, table),
                        LIMITS,
                        counters,
                        usage,
                        Pricing.load(),
                        clock,
                        Duration.ofSeconds(30)),
                cache,
                new JobOutcomes(
                        faultyJobs,
                        batches,
                        new SqsWebhookQueue(sqs, SharedEmulators.newQueue("submit-service-webhooks", Map.of())),
                        clock,
                        new TenantLedger(usage, counters, cache, Duration.ofHours(24)),
                        Duration.ofMinutes(10)),
                new DynamoLaneStats(faulty, table));
    }

    private ApiResponse post(Function<ApiRequest, ApiResponse> operation, String body, String idempotencyKey) {
        Map<String, String> headers = idempotencyKey == null
                ? Map.of("content-type", "application/json")
                : Map.of("content-type", "application/json", "idempotency-key", idempotencyKey);
        return ProblemMapping.serve(new ApiRequest(null, null, null, headers, body, TENANT, "req"), operation);
    }

    private static String batchOf(int items) {
        StringBuilder sb = new StringBuilder("{\"items\": [");
        for (int i = 0; i < items; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"prompt\": \"item ")
                    .append(i)
                    .append("\"}");
        }
        return sb.append("]}").toString();
    }

    private static boolean putsItemOf(SdkRequest request, String pkPrefix) {
        return request instanceof PutItemRequest put && put.item().get("pk").s().startsWith(pkPrefix);
    }

    /** A bulk write of batch jobs that includes the item at {@code index} or a later one. */
    private static boolean writesInBulkItemsFrom(SdkRequest request, int index) {
        return request instanceof BatchWriteItemRequest bulk
                && bulk.requestItems().values().stream()
                        .flatMap(List::stream)
                        .anyMatch(w -> Integer.parseInt(
                                        w.putRequest().item().get("itemIndex").n())
                                >= index);
    }

    /**
     * What the tenant's month holds and its count of active jobs are exactly what its stored jobs hold: nothing was
     * left behind by a request that stopped.
     */
    private void assertHeldOnlyByStoredJobs() {
        List<Job> stored = jobs.listByTenant(TENANT, null, 100, null).items();
        UsageMeter.Spent spent =
                new DynamoUsageMeter(dynamo, table).spent(TENANT, YearMonth.from(NOW.atZone(ZoneOffset.UTC)));
        assertEquals(
                stored.stream().mapToLong(j -> j.accounting().reservedTokens()).sum(),
                spent.committedTokens(),
                "tokens held, with " + stored.size() + " jobs stored");
        assertEquals(
                0,
                stored.stream()
                        .map(j -> j.accounting().reservedUsd())
                        .filter(Objects::nonNull)
                        .reduce(BigDecimal.ZERO, BigDecimal::add)
                        .compareTo(spent.committedUsd()),
                "USD held: " + spent);
        // the counter's own item: a recount would mend a leaked slot and hide it
        Map<String, AttributeValue> active = dynamo.getItem(g -> g.tableName(table)
                        .key(Map.of(
                                "pk", AttributeValue.fromS("LIMIT#" + TENANT), "sk", AttributeValue.fromS("ACTIVE"))))
                .item();
        long counted = active == null || !active.containsKey("jobs")
                ? 0
                : Long.parseLong(active.get("jobs").n());
        assertEquals(
                stored.stream().filter(j -> j.accounting().holdsActiveSlot()).count(), counted, "active jobs counted");
    }

    @Test
    void aJobWhoseWriteFailsHoldsNothingAfterwards() {
        faults.fail(r -> putsItemOf(r, "JOB#"));
        assertEquals(500, post(service::submit, "{\"prompt\": \"p\"}", null).status());
        assertHeldOnlyByStoredJobs();
        assertTrue(jobs.listByTenant(TENANT, null, 10, null).items().isEmpty());
    }

    @Test
    void aFailedIdempotencyReservationHoldsNothingAfterwards() {
        faults.fail(r -> putsItemOf(r, "IDEM#"));
        assertEquals(500, post(service::submit, "{\"prompt\": \"p\"}", "key-1").status());
        assertHeldOnlyByStoredJobs();
    }

    @Test
    void aReplayThatCannotReadItsOriginalHoldsNothingMoreAfterwards() {
        assertEquals(202, post(service::submit, "{\"prompt\": \"p\"}", "key-1").status());
        faults.fail(
                r -> r instanceof GetItemRequest get && get.key().get("pk").s().startsWith("JOB#"));
        assertEquals(500, post(service::submit, "{\"prompt\": \"p\"}", "key-1").status());
        assertHeldOnlyByStoredJobs();
        assertEquals(1, jobs.listByTenant(TENANT, null, 10, null).items().size());
    }

    @Test
    void aBatchWhoseJobsCannotBeWrittenHoldsNothingAfterwards() {
        faults.fail(r -> r instanceof BatchWriteItemRequest);
        assertEquals(500, post(service::submitBatch, batchOf(30), null).status());
        assertHeldOnlyByStoredJobs();
    }

    @Test
    void aBatchWrittenOnlyInPartHoldsOnlyWhatItsStoredJobsHold() {
        // the bulk write of items 25 to 29 fails; items 0 to 24 are written beside it, in a call of their own
        faults.fail(r -> writesInBulkItemsFrom(r, 25));
        assertEquals(500, post(service::submitBatch, batchOf(30), null).status());
        assertEquals(25, jobs.listByTenant(TENANT, null, 100, null).items().size());
        assertHeldOnlyByStoredJobs();
    }

    @Test
    void aBatchWrittenOnlyInPartLeavesNoJobWithoutItsBatch() {
        faults.fail(r -> writesInBulkItemsFrom(r, 25));
        assertEquals(500, post(service::submitBatch, batchOf(30), null).status());

        List<Job> stored = jobs.listByTenant(TENANT, null, 100, null).items();
        assertEquals(25, stored.size());
        DynamoBatchStore batches = new DynamoBatchStore(dynamo, table, Duration.ofDays(1));
        String batchId = stored.get(0).request().batchId();
        assertEquals(30, batches.get(batchId).orElseThrow().total(), "every stored job has its batch");
        // what a worker does first with each of them: counted, not refused for want of the batch
        stored.forEach(batches::recordStarted);
        assertEquals(25, batches.get(batchId).orElseThrow().running());
    }

    @Test
    void aReplayFinishesABatchItsOriginalLeftPartWritten() {
        faults.fail(r -> writesInBulkItemsFrom(r, 25));
        assertEquals(500, post(service::submitBatch, batchOf(30), "batch-1").status());
        faults.fail(r -> false);

        ApiResponse replay = post(service::submitBatch, batchOf(30), "batch-1");
        assertEquals(202, replay.status(), replay.body());
        assertEquals(30, jobs.listByTenant(TENANT, null, 100, null).items().size());
        assertHeldOnlyByStoredJobs();
        ApiResponse again = post(service::submitBatch, batchOf(30), "batch-1");
        assertEquals(200, again.status(), "finished now: " + again.body());
    }

    @Test
    void aJobKeyAndABatchKeyThatAreTheSameStringDoNotCollide() {
        ApiResponse job = post(service::submit, "{\"prompt\": \"p\"}", "batch:nightly");
        assertEquals(202, job.status(), job.body());
        ApiResponse batch = post(service::submitBatch, batchOf(2), "nightly");
        assertEquals(202, batch.status(), "a new batch, not the job's key reused: " + batch.body());
        assertTrue(Json.parse(batch.body()).path("id").asText().startsWith("bat_"), batch.body());

        ApiResponse otherBatch = post(service::submitBatch, batchOf(2), "shared");
        assertEquals(202, otherBatch.status(), otherBatch.body());
        ApiResponse otherJob = post(service::submit, "{\"prompt\": \"p\"}", "shared");
        assertEquals(202, otherJob.status(), otherJob.body());
        assertEquals(200, post(service::submit, "{\"prompt\": \"p\"}", "shared").status(), "each still replays");
        assertEquals(200, post(service::submitBatch, batchOf(2), "shared").status());
    }

    /** Fails, before they are sent, the DynamoDB calls it is told to: as if DynamoDB could not be reached for them. */
    private static final class Faults implements ExecutionInterceptor {
        private volatile Predicate<SdkRequest> failing = r -> false;

        void fail(Predicate<SdkRequest> calls) {
            failing = calls;
        }

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (failing.test(context.request())) {
                throw SdkClientException.create(
                        "injected failure of " + context.request().getClass().getSimpleName());
            }
        }
    }
}
