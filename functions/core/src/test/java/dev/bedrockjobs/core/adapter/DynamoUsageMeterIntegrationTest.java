package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.domain.BudgetHold;
import dev.bedrockjobs.core.domain.Ids;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import dev.bedrockjobs.core.port.UsageMeter;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Monthly usage against dynalite: repeated counts of a job count once until the job item is marked, markers of marked
 * jobs go with the unit's next count or when it closes, and the report reads only the counters. (That no two parties
 * count one job around its mark is {@code Settlement}'s part: see {@code SettlementIntegrationTest}.)
 */
class DynamoUsageMeterIntegrationTest {
    private static final Instant NOV = Instant.parse("2026-11-27T10:00:00Z");
    private static final YearMonth MONTH = YearMonth.of(2026, 11);
    private final DynamoDbClient dynamo = SharedEmulators.dynamoClient();
    private String table;
    private DynamoJobStore jobs;
    private DynamoUsageMeter meter;
    private UsageMeter.Unit unit;

    @BeforeEach
    void fresh() {
        table = SharedEmulators.newJobsTable("usage");
        jobs = new DynamoJobStore(dynamo, table, Duration.ofDays(30));
        meter = new DynamoUsageMeter(dynamo, table);
        unit = meter.open();
    }

    @AfterEach
    void close() {
        unit.close();
    }

    /** A job stored as a worker leaves it: created, claimed, then finished with usage and cost. */
    private Job finished(String tenant, String modelId, JobStatus status, long in, long out, String cost, Instant at) {
        Job queued = Job.builder()
                .id(Ids.newJobId(at))
                .tenantId(tenant)
                .request(r -> r.tier("fast").modelId(modelId).prompt("p").maxTokens(100))
                .progress(pr -> pr.createdAt(at))
                .build();
        assertTrue(jobs.create(queued));
        Job running = jobs.claim(queued.id(), "token", at, at.plusSeconds(60)).orElseThrow();
        Job done = running.toBuilder()
                .progress(pr -> pr.status(status).finishedAt(at))
                .accounting(ac -> ac.usage(in + out > 0 ? new Job.Usage(in, out) : null)
                        .costUsd(cost == null ? null : new BigDecimal(cost)))
                .build();
        assertTrue(jobs.finish(done));
        return done;
    }

    /** The job as stored now. */
    private Job reread(Job j) {
        return jobs.get(j.id()).orElseThrow();
    }

    /** Marks the job item and tells the meter, as settling does. */
    private void mark(Job j) {
        jobs.settle(j.id(), NOV, false);
        unit.settled(j);
    }

    private List<String> pending(String tenant) {
        Map<String, AttributeValue> item = dynamo.getItem(g -> g.tableName(table)
                        .key(DynamoUsageMeter.key(tenant, MONTH))
                        .consistentRead(true))
                .item();
        return item == null
                ? List.of()
                : item.keySet().stream()
                        .filter(k -> k.startsWith(DynamoUsageMeter.PENDING_PREFIX))
                        .map(k -> k.substring(DynamoUsageMeter.PENDING_PREFIX.length()))
                        .sorted()
                        .toList();
    }

    @Test
    void anAddRepeatedBeforeTheMarkCountsOnceAndAMarkedJobIsNotAddedAgain() {
        Job a = finished("t", "m1", JobStatus.SUCCEEDED, 100, 40, "0.002000", NOV);
        Job b = finished("t", "m1", JobStatus.SUCCEEDED, 10, 4, "0.000200", NOV);
        Job c = finished("t", "m2", JobStatus.FAILED, 0, 0, null, NOV);

        // a: added, then the adder died before marking the job; whoever settles it next adds again
        unit.count(a);
        assertEquals(List.of(a.id()), pending("t"));
        assertFalse(reread(a).accounting().usageRecorded());
        unit.count(reread(a));
        // b: added and marked; a later path reads it marked
        unit.count(b);
        mark(b);
        assertTrue(reread(b).accounting().usageRecorded());
        unit.count(reread(b));
        // c: added and marked in one go
        unit.count(c);
        mark(c);
        mark(a);

        MonthlyUsage u = meter.report("t", MONTH);
        assertEquals(110, u.totals().inputTokens());
        assertEquals(44, u.totals().outputTokens());
        assertEquals(0, new BigDecimal("0.0022").compareTo(u.totals().costUsd()), u.toString());
        assertEquals(2, u.totals().succeeded());
        assertEquals(1, u.totals().failed());
        assertEquals(3, u.submitted());
        assertEquals(
                List.of("m1", "m2"),
                u.byModel().stream().map(MonthlyUsage.ModelUsage::modelId).toList());
        assertEquals(110, u.byModel().get(0).counts().inputTokens());
        assertEquals(2, u.byModel().get(0).counts().succeeded());
        assertEquals(1, u.byModel().get(1).counts().failed());
        assertEquals(new UsageMeter.Spent(154, u.totals().costUsd()), meter.spent("t", MONTH));
        // b's marker went with c's count; a's and c's wait for the next count or the close
        assertEquals(List.of(a.id(), c.id()).stream().sorted().toList(), pending("t"));
        unit.close();
        assertEquals(List.of(), pending("t"), "nothing left pending");
        assertEquals(110, meter.report("t", MONTH).totals().inputTokens(), "removing markers changes no counter");
    }

    @Test
    void markersAUnitCouldNotRemoveAreRemovedByTheNextUnitTheMeterOpens() {
        AtomicBoolean unreachable = new AtomicBoolean();
        DynamoUsageMeter flaky = new DynamoUsageMeter(failingWhile(unreachable), table);
        Job a = finished("t", "m", JobStatus.SUCCEEDED, 10, 4, "0.0002", NOV);
        UsageMeter.Unit first = flaky.open();
        first.count(a);
        jobs.settle(a.id(), NOV, false);
        first.settled(a);
        unreachable.set(true);
        assertThrows(SdkClientException.class, first::close);
        unreachable.set(false);
        assertEquals(List.of(a.id()), pending("t"), "the marker outlived its unit");

        flaky.open().close();
        assertEquals(List.of(), pending("t"), "the next unit removed it");
        assertEquals(10, meter.report("t", MONTH).totals().inputTokens(), "and counted nothing again");
    }

    /** A client of the same dynalite whose calls all fail while {@code unreachable} is set. */
    private static DynamoDbClient failingWhile(AtomicBoolean unreachable) {
        ExecutionInterceptor fault = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                if (unreachable.get()) {
                    throw SdkClientException.create("DynamoDB unreachable");
                }
            }
        };
        return DynamoDbClient.builder()
                .endpointOverride(SharedEmulators.dynalite().endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(fault))
                .build();
    }

    @Test
    void concurrentAddsOfUnmarkedJobsCountEachOnceAndMarkersGoWithLaterAdds() throws Exception {
        List<Job> finished = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            finished.add(finished(
                    "t",
                    "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                    i % 5 == 0 ? JobStatus.CANCELED : JobStatus.SUCCEEDED,
                    10,
                    5,
                    "0.000100",
                    NOV));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> calls = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (Job j : finished.subList(0, 30)) {
                calls.add(pool.submit(() -> unit.count(j)));
            }
        }
        for (Future<?> f : calls) {
            f.get();
        }
        finished.subList(0, 30).forEach(this::mark);
        calls.clear();
        for (Job j : finished.subList(30, 60)) { // each count takes some of the first thirty's markers along
            calls.add(pool.submit(() -> unit.count(j)));
        }
        for (Future<?> f : calls) {
            f.get();
        }
        pool.shutdown();
        assertEquals(finished.subList(30, 60).stream().map(Job::id).sorted().toList(), pending("t"));
        MonthlyUsage u = meter.report("t", MONTH);
        assertEquals(600, u.totals().inputTokens());
        assertEquals(300, u.totals().outputTokens());
        assertEquals(48, u.totals().succeeded());
        assertEquals(12, u.totals().canceled());
        assertEquals(0, new BigDecimal("0.006").compareTo(u.totals().costUsd()));
        assertEquals(
                "us.anthropic.claude-haiku-4-5-20251001-v1:0",
                u.byModel().get(0).modelId(),
                "a model id with ':' and '.' survives the attribute naming");
        assertEquals(1, u.byModel().size(), "markers are not read as models");
    }

    /** A job as an attempt holding claim {@code token} is about to write it: finished in memory, running in the table. */
    private Job finishing(Job running, String token, JobStatus status, long in, long out, String cost) {
        return running.toBuilder()
                .progress(pr -> pr.fencingToken(token).status(status).finishedAt(NOV))
                .accounting(ac -> ac.usage(in + out > 0 ? new Job.Usage(in, out) : null)
                        .costUsd(cost == null ? null : new BigDecimal(cost)))
                .build();
    }

    private Job running(String tenant) {
        return submittedAt(tenant, NOV);
    }

    private Job submittedAt(String tenant, Instant at) {
        Job queued = Job.builder()
                .id(Ids.newJobId(at))
                .tenantId(tenant)
                .request(r -> r.tier("fast").modelId("m").prompt("p").maxTokens(100))
                .progress(pr -> pr.createdAt(at))
                .build();
        assertTrue(jobs.create(queued));
        return queued;
    }

    @Test
    void countingAheadOfTheFinishIsWithdrawnWhenTheFinishIsRefusedAndRepeatsCountOnce() {
        Job job = running("t");
        Job a = finishing(job, "attempt-a", JobStatus.SUCCEEDED, 100, 40, "0.002");
        unit.countAhead(a, "attempt-a");
        unit.countAhead(a, "attempt-a"); // the SDK's retry of a write whose answer was lost
        assertEquals(140, meter.spent("t", MONTH).tokens());
        unit.withdrawAhead(a, "attempt-a"); // its terminal write was refused: a cancel came first
        MonthlyUsage u = meter.report("t", MONTH);
        assertEquals(
                0,
                u.totals().inputTokens()
                        + u.totals().outputTokens()
                        + u.totals().succeeded());
        assertEquals(0, u.totals().costUsd().signum());
        assertEquals(List.of(), pending("t"));
        unit.withdrawAhead(a, "attempt-a");
        assertEquals(0, meter.spent("t", MONTH).tokens(), "withdrawing what is not counted changes nothing");
    }

    @Test
    void anAttemptThatLostTheJobHasItsChargeReplacedByTheOutcomeThatStands() {
        // attempt a counted a success, then died before its terminal write; attempt b took the job over and failed
        Job job = running("t");
        Job a = finishing(job, "attempt-a", JobStatus.SUCCEEDED, 100, 40, "0.002");
        unit.countAhead(a, "attempt-a");
        Job b = finishing(job, "attempt-b", JobStatus.FAILED, 0, 0, null);
        unit.countAhead(b, "attempt-b");
        unit.withdrawAhead(a, "attempt-a"); // a late withdrawal of a's charge finds it gone and leaves b's alone
        MonthlyUsage u = meter.report("t", MONTH);
        assertEquals(0, u.totals().inputTokens());
        assertEquals(0, u.totals().succeeded());
        assertEquals(1, u.totals().failed());
        assertEquals(1, u.byModel().get(0).counts().failed());
        assertEquals(0, u.byModel().get(0).counts().succeeded());

        // another job: its attempt counted a success and died; the reconciler then dead-lettered the job
        Job other = running("t");
        unit.countAhead(finishing(other, "attempt-c", JobStatus.SUCCEEDED, 10, 4, "0.0002"), "attempt-c");
        Job deadLettered = finishing(other, null, JobStatus.FAILED, 0, 0, null);
        unit.count(deadLettered);
        unit.count(deadLettered);
        u = meter.report("t", MONTH);
        assertEquals(0, u.totals().inputTokens() + u.totals().outputTokens(), u.toString());
        assertEquals(2, u.totals().failed());
        assertEquals(0, u.totals().costUsd().signum());
        // and once a job is counted by a path that settles it, a late attempt adds nothing
        unit.countAhead(finishing(other, "attempt-late", JobStatus.SUCCEEDED, 10, 4, "0.0002"), "attempt-late");
        assertEquals(2, meter.report("t", MONTH).totals().failed());
        assertEquals(0, meter.report("t", MONTH).totals().succeeded());
    }

    @Test
    void holdsCountAgainstTheBudgetUntilTheJobsUsageReplacesThem() {
        BigDecimal usdBudget = new BigDecimal("1.00");
        assertTrue(meter.hold("t", MONTH, new BudgetHold(600, new BigDecimal("0.60")), 1000, usdBudget));
        assertFalse(
                meter.hold("t", MONTH, new BudgetHold(600, new BigDecimal("0.10")), 1000, usdBudget),
                "tokens: 1,200 > 1,000");
        assertFalse(
                meter.hold("t", MONTH, new BudgetHold(100, new BigDecimal("0.50")), 1000, usdBudget),
                "cost: 1.10 > 1.00");
        assertFalse(
                meter.hold("t", MONTH, new BudgetHold(1001, BigDecimal.ZERO), 1000, BigDecimal.ZERO),
                "alone over the budget");
        assertTrue(
                meter.hold("t", MONTH, new BudgetHold(5000, new BigDecimal("9")), 0, BigDecimal.ZERO),
                "no budget, no limit");
        meter.release("t", MONTH, new BudgetHold(5000, new BigDecimal("9")));
        assertEquals(
                new UsageMeter.Spent(0, BigDecimal.ZERO, 600, new BigDecimal("0.6")),
                normalized(meter.spent("t", MONTH)));

        // the held job finishes having used 140 tokens and USD 0.002: that replaces its hold
        Job queued = Job.builder()
                .id(Ids.newJobId(NOV))
                .tenantId("t")
                .request(r -> r.tier("fast").modelId("m").prompt("p").maxTokens(100))
                .progress(pr -> pr.createdAt(NOV))
                .accounting(ac -> ac.reserved(600, new BigDecimal("0.60")))
                .build();
        assertTrue(jobs.create(queued));
        assertEquals(600, reread(queued).accounting().reservedTokens());
        Job running = jobs.claim(queued.id(), "token", NOV, NOV.plusSeconds(60)).orElseThrow();
        Job done = running.toBuilder()
                .progress(pr -> pr.status(JobStatus.SUCCEEDED).finishedAt(NOV))
                .accounting(ac -> ac.usage(new Job.Usage(100, 40)).costUsd(new BigDecimal("0.002")))
                .build();
        assertTrue(jobs.finish(done));
        unit.count(reread(queued));
        unit.count(reread(queued)); // before the mark: no second change
        assertEquals(
                new UsageMeter.Spent(140, new BigDecimal("0.002"), 140, new BigDecimal("0.002")),
                normalized(meter.spent("t", MONTH)));
        assertTrue(
                meter.hold("t", MONTH, new BudgetHold(860, new BigDecimal("0.998")), 1000, usdBudget),
                "exactly to the budget");
    }

    private static UsageMeter.Spent normalized(UsageMeter.Spent s) {
        return new UsageMeter.Spent(
                s.tokens(),
                s.costUsd().stripTrailingZeros(),
                s.committedTokens(),
                s.committedUsd().stripTrailingZeros());
    }

    @Test
    void tenantsAndMonthsAreKeptApartAndUnfinishedJobsCountAsSubmitted() {
        unit.count(reread(finished("t", "m", JobStatus.SUCCEEDED, 7, 3, "0.000010", NOV)));
        Job december =
                finished("t", "m", JobStatus.SUCCEEDED, 1000, 1000, "1.000000", Instant.parse("2026-12-01T00:00:00Z"));
        unit.count(december);
        Job other = finished("u", "m", JobStatus.SUCCEEDED, 500, 500, "0.500000", NOV);
        unit.count(other);
        Job queued = Job.builder()
                .id(Ids.newJobId(NOV))
                .tenantId("t")
                .request(r -> r.tier("fast").modelId("m").prompt("p").maxTokens(10))
                .progress(pr -> pr.createdAt(NOV))
                .build();
        assertTrue(jobs.create(queued));
        Job cached = finished("t", "m", JobStatus.SUCCEEDED, 0, 0, null, NOV).toBuilder()
                .accounting(ac -> ac.cached(true))
                .build();
        unit.count(cached);

        MonthlyUsage nov = meter.report("t", MONTH);
        assertEquals(7, nov.totals().inputTokens());
        assertEquals(1, nov.totals().succeeded(), "the cached answer counts nothing");
        assertEquals(1, nov.activeJobs());
        assertEquals(2, nov.submitted());
        assertEquals(
                2000,
                meter.report("t", MONTH.plusMonths(1)).totals().inputTokens()
                        + meter.report("t", MONTH.plusMonths(1)).totals().outputTokens());
        assertEquals(1000, meter.spent("u", MONTH).tokens());
        assertEquals(
                MonthlyUsage.Counts.ZERO.inputTokens(),
                meter.report("nobody", MONTH).totals().inputTokens());
        assertEquals(UsageMeter.Spent.NOTHING, meter.spent("nobody", MONTH));
    }

    @Test
    void theDaysOfSubmissionAddUpToTheMonthThroughRepeatsReplacementsAndUndos() {
        Instant nextDay = NOV.plus(Duration.ofDays(1));
        // counted twice before its mark, and marked
        Job a = finished("t", "m1", JobStatus.SUCCEEDED, 100, 40, "0.002", NOV);
        unit.count(a);
        unit.count(reread(a));
        mark(a);
        // an attempt counted a success and lost the job; the outcome that stands is a failure, on the next day
        Job onNextDay = submittedAt("t", nextDay);
        unit.countAhead(finishing(onNextDay, "attempt-a", JobStatus.SUCCEEDED, 10, 4, "0.0002"), "attempt-a");
        unit.countAhead(finishing(onNextDay, "attempt-b", JobStatus.FAILED, 0, 0, null), "attempt-b");
        // counted ahead of a finish that was refused: nothing of it stays, not even an empty day
        Job refusedLater = submittedAt("t", nextDay.plus(Duration.ofDays(1)));
        Job counted = finishing(refusedLater, "attempt-c", JobStatus.SUCCEEDED, 7, 3, "0.0001");
        unit.countAhead(counted, "attempt-c");
        unit.withdrawAhead(counted, "attempt-c");

        MonthlyUsage u = meter.report("t", MONTH);
        assertEquals(
                List.of(MONTH.atDay(27), MONTH.atDay(28)),
                u.byDay().stream().map(MonthlyUsage.DayUsage::date).toList(),
                u.toString());
        MonthlyUsage.Counts first = u.byDay().get(0).counts();
        MonthlyUsage.Counts second = u.byDay().get(1).counts();
        assertEquals(100, first.inputTokens());
        assertEquals(40, first.outputTokens());
        assertEquals(1, first.succeeded());
        assertEquals(0, second.inputTokens() + second.outputTokens() + second.succeeded(), "attempt a made way");
        assertEquals(1, second.failed());
        assertEquals(u.totals().inputTokens(), first.inputTokens() + second.inputTokens());
        assertEquals(u.totals().outputTokens(), first.outputTokens() + second.outputTokens());
        assertEquals(0, u.totals().costUsd().compareTo(first.costUsd().add(second.costUsd())));
        assertEquals(
                u.totals().succeeded() + u.totals().failed(),
                first.succeeded() + first.failed() + second.succeeded() + second.failed());
    }

    @Test
    void anAttemptCountedBeforeDaysWereKeptIsReplacedWithoutTakingFromItsDay() {
        // as a writer from before the days left it: totals, model counters and a marker without days
        Job job = running("t");
        dynamo.updateItem(u -> u.tableName(table)
                .key(DynamoUsageMeter.key("t", MONTH))
                .updateExpression("SET #p = :marker ADD inputTokens :in, outputTokens :out, succeeded :one, "
                        + "#mi :in, #mo :out, #ms :one")
                .expressionAttributeNames(Map.of(
                        "#p",
                        DynamoUsageMeter.PENDING_PREFIX + job.id(),
                        "#mi",
                        "model|m|inputTokens",
                        "#mo",
                        "model|m|outputTokens",
                        "#ms",
                        "model|m|succeeded"))
                .expressionAttributeValues(Map.of(
                        ":marker",
                        AttributeValue.fromS("attempt-old|succeeded|100|40|0"),
                        ":in",
                        AttributeValue.fromN("100"),
                        ":out",
                        AttributeValue.fromN("40"),
                        ":one",
                        AttributeValue.fromN("1"))));

        unit.countAhead(finishing(job, "attempt-new", JobStatus.SUCCEEDED, 10, 4, "0"), "attempt-new");

        MonthlyUsage u = meter.report("t", MONTH);
        assertEquals(10, u.totals().inputTokens());
        assertEquals(1, u.totals().succeeded());
        assertEquals(1, u.byDay().size(), u.toString());
        assertEquals(10, u.byDay().get(0).counts().inputTokens(), "the day holds the new attempt's numbers only");
        assertEquals(1, u.byDay().get(0).counts().succeeded());
    }
}
