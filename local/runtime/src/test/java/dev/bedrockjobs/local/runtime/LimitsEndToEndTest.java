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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Per-tenant limits through the local stack, with the event sources off so that accepted jobs stay queued: the cap on
 * active jobs, the monthly budget and the rate limit each answer 429 with a problem code and Retry-After, and a
 * refused request leaves nothing behind (no job, no message).
 */
class LimitsEndToEndTest {
    @TempDir
    static Path data;

    private static LocalStack stack;
    private static ApiClient api;
    private static SqsClient sqs;
    private static DynamoDbClient dynamo;
    private static String jobsQueueUrl;

    @BeforeAll
    static void start() throws IOException {
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .eventSourcesEnabled(false)
                .parameter("MaxActiveJobs", "3")
                .build());
        api = new ApiClient(stack.apiUrl(), stack.devApiKey());
        JsonNode endpoints = ApiClient.JSON.readTree(Files.readString(data.resolve("endpoints.json")));
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(endpoints.path("sqs").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .build();
        jobsQueueUrl = sqs.getQueueUrl(g -> g.queueName("JobsQueue")).queueUrl();
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoints.path("dynamodb").asText()))
                .region(Region.US_EAST_1)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .build();
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static int messagesInJobsQueue() {
        return Integer.parseInt(sqs.getQueueAttributes(
                        g -> g.queueUrl(jobsQueueUrl).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                .attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    private static String problem(HttpResponse<String> r, String code) {
        assertEquals(429, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"));
        assertEquals(code, ApiClient.json(r).path("code").asText(), r.body());
        String retryAfter = r.headers().firstValue("retry-after").orElseThrow();
        assertTrue(Long.parseLong(retryAfter) >= 1, retryAfter);
        return retryAfter;
    }

    private static String batchOf(int items) {
        StringBuilder sb = new StringBuilder("{\"items\": [");
        for (int i = 0; i < items; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("{\"prompt\": \"item ")
                    .append(i)
                    .append("\"}");
        }
        return sb.append("], \"defaults\": {\"model\": \"fast\"}}").toString();
    }

    @Test
    void theCapOnQueuedJobsRefusesUntilOneEndsAndCountsABatchAsItsItems() {
        ApiClient capped = api.withKey(stack.createTenant("capped"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(capped.submit("queued " + i).path("id").asText());
        }
        problem(capped.postJson("/v1/jobs", "{\"prompt\": \"one too many\"}"), "too_many_active_jobs");
        assertEquals(
                202,
                api.withKey(stack.createTenant("capped-neighbour"))
                        .postJson("/v1/jobs", "{\"prompt\": \"another tenant has its own cap\"}")
                        .statusCode());

        assertEquals(202, capped.delete("/v1/jobs/" + ids.get(0)).statusCode(), "a queued job is canceled at once");
        problem(capped.postJson("/v1/batches", batchOf(2)), "too_many_active_jobs");
        HttpResponse<String> one = capped.postJson("/v1/batches", batchOf(1));
        assertEquals(202, one.statusCode(), "the canceled job's slot is free again: " + one.body());
        problem(capped.postJson("/v1/jobs", "{\"prompt\": \"full again\"}"), "too_many_active_jobs");
        assertEquals(
                3,
                ApiClient.json(capped.get("/v1/jobs?status=queued"))
                        .path("items")
                        .size());
    }

    /** Sends each body at once from its own thread. @return the status codes, in the order of the bodies */
    private static List<Integer> race(ApiClient client, List<String> paths, List<String> bodies) {
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                String path = paths.get(i);
                String body = bodies.get(i);
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.postJson(path, body).statusCode();
                }));
            }
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<Integer> a : answers) {
                codes.add(a.get(120, TimeUnit.SECONDS));
            }
            return codes;
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The tenant's count of active-job slots taken, as the counter item holds it. */
    private static long activeCount(String tenant) {
        var item = dynamo.getItem(g -> g.tableName("JobsTable")
                        .consistentRead(true)
                        .key(Map.of(
                                "pk", AttributeValue.fromS("LIMIT#" + tenant), "sk", AttributeValue.fromS("ACTIVE"))))
                .item();
        return item == null || !item.containsKey("jobs")
                ? 0
                : Long.parseLong(item.get("jobs").n());
    }

    private static int queuedJobs(ApiClient client) {
        int count = 0;
        String cursor = null;
        do {
            JsonNode page = ApiClient.json(
                    client.get("/v1/jobs?status=queued&limit=100" + (cursor == null ? "" : "&cursor=" + cursor)));
            count += page.path("items").size();
            cursor = page.path("nextCursor").isTextual()
                    ? page.path("nextCursor").asText()
                    : null;
        } while (cursor != null);
        return count;
    }

    @Test
    void aHundredConcurrentSubmitsAtACapOfTwentyAcceptExactlyTwenty() {
        String key = stack.createTenant("racing");
        stack.setTenantLimits("racing", new TenantLimits.Overrides(0L, 20L, null, null, null));
        ApiClient racing = api.withKey(key);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            bodies.add("{\"prompt\": \"race " + i + "\"}");
        }
        List<Integer> codes = race(racing, java.util.Collections.nCopies(100, "/v1/jobs"), bodies);
        long accepted = codes.stream().filter(c -> c == 202).count();
        assertEquals(100 - accepted, codes.stream().filter(c -> c == 429).count(), codes.toString());
        System.out.printf("cap 20: %d of 100 concurrent submits accepted%n", accepted);
        assertEquals(20, accepted, "accepted at a cap of 20: " + codes);
        assertEquals(20, queuedJobs(racing));
    }

    @Test
    void singlesSentWhileABatchThatFillsTheCapIsWrittenAndABatchAfterAreAllRefused() throws Exception {
        String key = stack.createTenant("batching");
        stack.setTenantLimits("batching", new TenantLimits.Overrides(0L, 1000L, null, null, null));
        ApiClient batching = api.withKey(key);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> batch = pool.submit(
                    () -> batching.postJson("/v1/batches", batchOf(1000)).statusCode());
            while (activeCount("batching") < 1000 && !batch.isDone()) {
                Thread.sleep(5); // until the batch has taken its slots
            }
            // singles keep coming while the batch's thousand jobs are being written (each refusal may recount)
            List<Integer> singles = new ArrayList<>();
            int whileWriting = 0;
            while (!batch.isDone() || singles.size() < 5) {
                whileWriting += batch.isDone() ? 0 : 1;
                singles.add(batching.postJson("/v1/jobs", "{\"prompt\": \"during the batch\"}")
                        .statusCode());
                Thread.sleep(20);
            }
            assertEquals(202, batch.get(), "the batch fits the cap");
            int after = batching.postJson("/v1/batches", batchOf(224)).statusCode();
            long singlesAccepted = singles.stream().filter(c -> c == 202).count();
            System.out.printf(
                    "cap 1000: batch of 1000 accepted, %d of %d singles accepted (%d sent while it was "
                            + "written), batch of 224 after: %d%n",
                    singlesAccepted, singles.size(), whileWriting, after);
            assertEquals(429, after, "the cap is full");
            assertEquals(0, singlesAccepted, singles.size() + " singles sent during the batch: " + singles);
            assertEquals(1000, queuedJobs(batching));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anotherTenantIsAnsweredWhileOneTenantHoldsTwoHundredLongPollsAndPollsOverItsBoundReturnAtOnce()
            throws Exception {
        ApiClient polling = api.withKey(stack.createTenant("long-poller"));
        ApiClient other = api.withKey(stack.createTenant("bystander"));
        String queued = polling.submit("stays queued: the event sources are off")
                .path("id")
                .asText();
        String othersJob = other.submit("another tenant's job").path("id").asText();
        int wait = 15;
        ExecutorService pool = Executors.newFixedThreadPool(200);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<long[]>> polls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                polls.add(pool.submit(() -> {
                    go.await();
                    long start = System.nanoTime();
                    int status =
                            polling.get("/v1/jobs/" + queued + "?wait=" + wait).statusCode();
                    return new long[] {status, System.nanoTime() - start, System.nanoTime()};
                }));
            }
            go.countDown();
            // During the burst itself, the other tenant's request competes with 200 for the front's 128 slots.
            long burstStart = System.nanoTime();
            int duringBurst = other.get("/v1/jobs/" + othersJob).statusCode();
            long duringBurstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstStart);
            // Then, once every poll over the bound has been answered, only the held ones remain open.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(wait);
            while (polls.stream().filter(Future::isDone).count() < 190 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            long start = System.nanoTime();
            HttpResponse<String> others = other.get("/v1/jobs/" + othersJob);
            long answeredAt = System.nanoTime();
            assertEquals(200, others.statusCode(), others.body());

            int held = 0;
            int atOnce = 0;
            int busy = 0;
            long firstHeldEnd = Long.MAX_VALUE;
            for (Future<long[]> f : polls) {
                long[] p = f.get(60, TimeUnit.SECONDS);
                if (p[0] == 429) {
                    busy++;
                    continue;
                }
                assertEquals(200, p[0]);
                // the job never ends, so a poll answered before its wait is over was not held at all
                if (p[1] >= TimeUnit.SECONDS.toNanos(wait)) {
                    held++;
                    firstHeldEnd = Math.min(firstHeldEnd, p[2]);
                } else {
                    atOnce++;
                }
            }
            System.out.printf(
                    "200 long polls (wait=%d) of one tenant: %d held, %d answered at once, %d refused 429 by "
                            + "the local front; another tenant's GET: %d in %d ms during the burst, then %d ms while the held "
                            + "polls were open%n",
                    wait,
                    held,
                    atOnce,
                    busy,
                    duringBurst,
                    duringBurstMillis,
                    TimeUnit.NANOSECONDS.toMillis(answeredAt - start));
            assertTrue(held >= 1 && held <= 10, held + " polls held open, over a bound of 10");
            assertTrue(answeredAt < firstHeldEnd, "the other tenant was answered while the polls were still open");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBudgetRefusalWritesAndQueuesNothing() {
        String key = stack.createTenant("frugal");
        stack.setTenantLimits("frugal", new TenantLimits.Overrides(null, null, 500L, null, null));
        ApiClient frugal = api.withKey(key);
        int messagesBefore = messagesInJobsQueue();

        // the default maxTokens (1024) alone could pass a 500-token budget
        String retryAfter = problem(
                frugal.postJson("/v1/jobs", "{\"prompt\": \"too big\", \"idempotencyKey\": \"k1\"}"),
                "budget_exceeded");
        assertTrue(Long.parseLong(retryAfter) <= 31L * 24 * 3600, "until next month at the latest: " + retryAfter);
        problem(frugal.postJson("/v1/batches", batchOf(3)), "budget_exceeded");

        assertEquals(0, ApiClient.json(frugal.get("/v1/jobs")).path("items").size(), "no job was written");
        assertEquals(messagesBefore, messagesInJobsQueue(), "no message was sent");
        JsonNode usage = ApiClient.json(frugal.get("/v1/usage"));
        assertEquals(0, usage.path("jobs").path("submitted").asLong(), usage.toString());

        // a request that fits is taken, and its idempotency key was not used up by the refusal
        HttpResponse<String> small =
                frugal.postJson("/v1/jobs", "{\"prompt\": \"small\", \"maxTokens\": 100, \"idempotencyKey\": \"k2\"}");
        assertEquals(202, small.statusCode(), small.body());
        assertEquals(messagesBefore + 1, messagesInJobsQueue());
        assertEquals(
                1,
                ApiClient.json(frugal.get("/v1/usage"))
                        .path("jobs")
                        .path("submitted")
                        .asLong());
    }

    @Test
    void jobsNotFinishedHoldTheMostTheyCouldUseSoConcurrentSubmitsCannotOverrunTheBudget() {
        String key = stack.createTenant("eager");
        stack.setTenantLimits("eager", new TenantLimits.Overrides(null, 0L, 500L, null, null)); // no cap on jobs
        ApiClient eager = api.withKey(key);
        // holds at most 5 prompt tokens (a byte each) + 16 of the messages template + 100 output tokens
        String job = "{\"prompt\": \"small\", \"maxTokens\": 100}";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = eager.postJson("/v1/jobs", job);
            assertEquals(202, r.statusCode(), r.body());
            ids.add(ApiClient.json(r).path("id").asText());
        }
        // nothing is spent yet (the jobs wait in the queue), but 484 of 500 tokens are held
        HttpResponse<String> fifth = eager.postJson("/v1/jobs", job);
        problem(fifth, "budget_exceeded");
        assertTrue(ApiClient.json(fifth).path("detail").asText().contains("484 more are held"), fifth.body());
        assertEquals(
                0, ApiClient.json(eager.get("/v1/usage")).path("inputTokens").asLong());

        // a canceled job used nothing: its hold is let go, and the next submit fits
        assertEquals(202, eager.delete("/v1/jobs/" + ids.get(0)).statusCode());
        assertEquals(202, eager.postJson("/v1/jobs", job).statusCode());
        problem(eager.postJson("/v1/jobs", job), "budget_exceeded");
    }

    @Test
    void theRateLimitAnswers429WithRetryAfter() {
        String key = stack.createTenant("chatty");
        stack.setTenantLimits("chatty", new TenantLimits.Overrides(1L, 0L, null, null, null));
        ApiClient chatty = api.withKey(key);
        int accepted = 0;
        int limited = 0;
        long firstSecond = System.currentTimeMillis() / 1000;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = chatty.postJson("/v1/jobs", "{\"prompt\": \"burst " + i + "\"}");
            if (r.statusCode() == 202) {
                accepted++;
            } else {
                assertEquals("1", problem(r, "rate_limited"));
                limited++;
            }
        }
        long seconds = System.currentTimeMillis() / 1000 - firstSecond + 1;
        assertTrue(accepted >= 1 && accepted <= seconds, accepted + " accepted over " + seconds + " s");
        assertTrue(limited >= 6 - seconds, limited + " limited over " + seconds + " s");
        assertEquals(
                accepted, ApiClient.json(chatty.get("/v1/jobs")).path("items").size());
    }

    @Test
    void aMalformedMonthIsRefused() {
        for (String month : List.of("2026-13", "2026-1", "november", "2026-11-01")) {
            HttpResponse<String> r = api.get("/v1/usage?month=" + month);
            assertEquals(400, r.statusCode(), month + ": " + r.body());
            assertEquals(
                    "month",
                    ApiClient.json(r).path("errors").get(0).path("field").asText());
        }
        JsonNode empty = ApiClient.json(api.get("/v1/usage?month=2020-01"));
        assertEquals("2020-01", empty.path("month").asText());
        assertEquals(0, empty.path("inputTokens").asLong());
        assertEquals(0, empty.path("byModel").size());
    }
}
