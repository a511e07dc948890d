package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.Batch;
import dev.bedrockjobs.core.domain.BatchStatus;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** Batch counters against dynalite: each job counted once, the batch completed once, whatever the redeliveries. */
class DynamoBatchStoreIntegrationTest {
    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static String table;
    private static DynamoBatchStore batches;

    @BeforeAll
    static void table() {
        table = SharedEmulators.newJobsTable("batches");
        batches = new DynamoBatchStore(SharedEmulators.dynamoClient(), table, Duration.ofDays(30));
    }

    private static Job finished(String batchId, int i, JobStatus status) {
        return Job.builder()
                .id(Ids.jobIdInBatch(batchId, i))
                .tenantId("t")
                .request(r -> r.tier("fast")
                        .modelId("m")
                        .prompt("p")
                        .maxTokens(10)
                        .batchId(batchId)
                        .itemIndex(i)
                        .customId(Integer.toString(i)))
                .progress(pr -> pr.createdAt(T0).status(status).finishedAt(T0))
                .accounting(ac -> ac.usage(status == JobStatus.SUCCEEDED ? new Job.Usage(100, 50) : null)
                        .costUsd(status == JobStatus.SUCCEEDED ? new BigDecimal("0.001000") : null))
                .build();
    }

    @Test
    void countsAreExactAndCompletionHappensOnceUnderConcurrentRedelivery() throws Exception {
        String id = Ids.newBatchId(T0);
        int total = 250; // three parts: 100, 100 and 50 items
        assertTrue(batches.create(Batch.accepted(id, "t", T0, total, null, null, "h")));
        assertFalse(batches.create(Batch.accepted(id, "t", T0, total, null, null, "h")));
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            jobs.add(finished(id, i, i % 10 == 0 ? JobStatus.FAILED : JobStatus.SUCCEEDED));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> completions = new ArrayList<>();
        for (int round = 0; round < 3; round++) { // every outcome delivered three times, in parallel
            for (Job j : jobs) {
                completions.add(pool.submit(() -> {
                    batches.recordStarted(j);
                    return batches.recordFinished(j, T0);
                }));
            }
        }
        int completed = 0;
        for (Future<Boolean> f : completions) {
            completed += f.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, completed, "exactly one call completes the batch");
        Batch b = batches.get(id).orElseThrow();
        assertEquals(BatchStatus.COMPLETED, b.status());
        assertEquals(225, b.succeeded());
        assertEquals(25, b.failed());
        assertEquals(0, b.running());
        assertEquals(0, b.queued());
        assertEquals(225 * 100, b.inputTokens());
        assertEquals(225 * 50, b.outputTokens());
        assertEquals(0, new BigDecimal("0.225").compareTo(b.costUsd()));
        assertTrue(b.done());
    }

    @Test
    void aWorkerThatDiedAfterFillingTheLastPartLeavesTheCompletionToTheNextDelivery() {
        String id = Ids.newBatchId(T0);
        assertTrue(batches.create(Batch.accepted(id, "t", T0, 150, null, null, "h")));
        for (int i = 0; i < 149; i++) {
            assertFalse(batches.recordFinished(finished(id, i, JobStatus.SUCCEEDED), T0));
        }
        // the last job's worker counted it into its part, then died before telling the batch the part was full
        SharedEmulators.dynamoClient()
                .updateItem(u -> u.tableName(table)
                        .key(Map.of(
                                "pk",
                                AttributeValue.fromS("BATCH#" + id),
                                "sk",
                                AttributeValue.fromS("BATCH#PART#001")))
                        .updateExpression("ADD finishedItems :i, succeeded :one, inputTokens :in, outputTokens :out, "
                                + "costUsd :cost")
                        .expressionAttributeValues(Map.of(
                                ":i",
                                AttributeValue.fromNs(List.of("149")),
                                ":one",
                                AttributeValue.fromN("1"),
                                ":in",
                                AttributeValue.fromN("100"),
                                ":out",
                                AttributeValue.fromN("50"),
                                ":cost",
                                AttributeValue.fromN("0.001"))));
        assertEquals(BatchStatus.RUNNING, batches.get(id).orElseThrow().status());
        assertTrue(
                batches.get(id).orElseThrow().done()
                        && !batches.get(id).orElseThrow().settled(),
                "all finished, not yet completed");

        assertTrue(batches.recordFinished(finished(id, 149, JobStatus.SUCCEEDED), T0), "the redelivery completes it");
        assertFalse(batches.recordFinished(finished(id, 149, JobStatus.SUCCEEDED), T0), "once");
        Batch b = batches.get(id).orElseThrow();
        assertEquals(BatchStatus.COMPLETED, b.status());
        assertEquals(150, b.succeeded());
        assertEquals(150 * 100, b.inputTokens());
    }

    @Test
    void runningAndQueuedAreDerivedFromWhatStartedAndFinished() {
        String id = Ids.newBatchId(T0);
        batches.create(Batch.accepted(id, "t", T0, 5, null, null, "h"));
        batches.recordStarted(finished(id, 0, JobStatus.RUNNING));
        batches.recordStarted(finished(id, 1, JobStatus.RUNNING));
        batches.recordStarted(finished(id, 1, JobStatus.RUNNING));
        assertFalse(batches.recordFinished(finished(id, 0, JobStatus.SUCCEEDED), T0));
        assertFalse(batches.recordFinished(finished(id, 4, JobStatus.CANCELED), T0));
        Batch b = batches.get(id).orElseThrow();
        assertEquals(1, b.running());
        assertEquals(2, b.queued());
        assertEquals(1, b.succeeded());
        assertEquals(1, b.canceled());
        assertFalse(b.done());
    }

    @Test
    void aCanceledBatchStaysCanceledWhenItsLastJobEnds() {
        String id = Ids.newBatchId(T0);
        batches.create(Batch.accepted(id, "t", T0, 1, null, null, "h"));
        assertTrue(batches.cancel(id, T0));
        assertFalse(batches.cancel(id, T0));
        assertFalse(batches.recordFinished(finished(id, 0, JobStatus.CANCELED), T0));
        assertEquals(BatchStatus.CANCELED, batches.get(id).orElseThrow().status());
    }

    @Test
    void aBatchWithAWebhookStaysActiveUntilItsCompletionIsSettled() {
        String hooked = Ids.newBatchId(T0);
        String quiet = Ids.newBatchId(T0);
        batches.create(Batch.accepted(hooked, "t", T0, 1, "https://hooks.example.com/b", null, "h"));
        batches.create(Batch.accepted(quiet, "t", T0, 1, null, null, "h"));
        batches.settle(hooked); // running: nothing is owed yet, so nothing changes
        assertTrue(activeIds().containsAll(List.of(hooked, quiet)));

        assertTrue(batches.recordFinished(finished(hooked, 0, JobStatus.SUCCEEDED), T0));
        assertTrue(batches.recordFinished(finished(quiet, 0, JobStatus.SUCCEEDED), T0));
        assertTrue(activeIds().contains(hooked), "its batch.completed event is still owed");
        assertFalse(activeIds().contains(quiet), "a batch without a webhook owes nothing once complete");

        batches.settle(hooked);
        batches.settle(hooked);
        assertFalse(activeIds().contains(hooked));
        assertEquals(BatchStatus.COMPLETED, batches.get(hooked).orElseThrow().status());
    }

    private static List<String> activeIds() {
        return batches.listActive(T0.plusSeconds(1), 1000).stream()
                .map(Batch::id)
                .toList();
    }

    @Test
    void aCompletionAppliedButUnansweredIsStillTheCompletersOwnAndNoOneElses() {
        LoseFirstCompletionAnswer lose = new LoseFirstCompletionAnswer();
        DynamoDbClient flaky = DynamoDbClient.builder()
                .endpointOverride(SharedEmulators.dynalite().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(lose))
                .build();
        DynamoBatchStore store = new DynamoBatchStore(flaky, table, Duration.ofDays(30));
        String id = Ids.newBatchId(T0);
        store.create(Batch.accepted(id, "t", T0, 1, "https://hooks.example.com/b", null, "h"));

        assertTrue(
                store.recordFinished(finished(id, 0, JobStatus.SUCCEEDED), T0),
                "the call whose completing write was applied, its answer lost, is the one that announces it");
        assertTrue(lose.lost.get(), "the completing write's answer was lost");
        assertEquals(BatchStatus.COMPLETED, store.get(id).orElseThrow().status());
        assertFalse(store.recordFinished(finished(id, 0, JobStatus.SUCCEEDED), T0), "a redelivery does not");
    }

    /** Lets the first completing write through to dynalite, then answers it with a 500 so the SDK retries it. */
    private static final class LoseFirstCompletionAnswer implements ExecutionInterceptor {
        final AtomicBoolean lost = new AtomicBoolean();
        private final ExecutionAttribute<Boolean> thisCall = new ExecutionAttribute<>("loseThisAnswer");

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (context.request() instanceof UpdateItemRequest u
                    && u.updateExpression().contains("completeWrite")
                    && lost.compareAndSet(false, true)) {
                attributes.putAttribute(thisCall, true);
                return context.httpResponse().toBuilder().statusCode(500).build();
            }
            return context.httpResponse();
        }

        @Override
        public Optional<InputStream> modifyHttpResponseContent(
                Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (!Boolean.TRUE.equals(attributes.getAttribute(thisCall))) {
                return context.responseBody();
            }
            attributes.putAttribute(thisCall, false);
            return Optional.of(new ByteArrayInputStream(
                    "{\"__type\":\"InternalServerError\",\"message\":\"lost\"}".getBytes(StandardCharsets.UTF_8)));
        }
    }
}
