package dev.bedrockjobs.core.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobCostModelTest {
    private final JobCostModel model = JobCostModel.bundled();
    private final InfrastructurePrices prices = InfrastructurePrices.load();

    private static Optional<JobCostEstimate.Line> line(JobCostEstimate e, String component) {
        return e.lines().stream().filter(l -> l.component().equals(component)).findFirst();
    }

    private static void assertUsd(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + ", got " + actual);
    }

    @Test
    void sonnetWithThreeThousandInAndTwoThousandOutCostsAboutFourCentsAsTheArticleSays() {
        JobCostEstimate e = model.estimate(Workload.of(1, "standard", 3000, 2000));
        assertEquals("us.anthropic.claude-sonnet-4-5-20250929-v1:0", e.modelId());
        // us. profile rates: 3000 x 0.0033/1K + 2000 x 0.0165/1K
        assertUsd("0.0429", e.bedrockPerJob());
        assertTrue(
                e.totalPerJob().compareTo(new BigDecimal("0.035")) > 0
                        && e.totalPerJob().compareTo(new BigDecimal("0.045")) < 0,
                e.totalPerJob().toPlainString());
    }

    @Test
    void infrastructureOfAStandardJobIsAboutOnePercentOfItsTokensAndLessWhenTheWorkerSharesItsWait() {
        JobCostEstimate alone = model.estimate(Workload.of(1, "standard", 3000, 2000));
        JobCostEstimate batched =
                model.estimate(Workload.of(1, "standard", 3000, 2000).withWorker(5, null));
        BigDecimal aloneShare = alone.infrastructureShareOfBedrock();
        BigDecimal batchedShare = batched.infrastructureShareOfBedrock();
        assertTrue(aloneShare.compareTo(new BigDecimal("0.02")) < 0, aloneShare.toPlainString());
        assertTrue(batchedShare.compareTo(new BigDecimal("0.01")) < 0, batchedShare.toPlainString());
        assertTrue(batchedShare.compareTo(aloneShare) < 0);
    }

    @Test
    void theWorkerIsBilledForTheWholeModelCallAtItsMemory() {
        InfrastructurePrices.ModelSpeed speed = prices.modelSpeed("standard");
        long modelMs = speed.callMillis(2000);
        assertEquals(speed.firstTokenMs() + Math.round(2000 * 1000.0 / speed.outputTokensPerSecond()), modelMs);
        InfrastructurePrices.FunctionProfile worker = prices.function("worker");
        InfrastructurePrices.RegionPrices p = prices.region("us-east-1");
        BigDecimal gbs = BigDecimal.valueOf(worker.memoryMb() / 1024.0 * (worker.durationMs() + modelMs) / 1000.0);
        BigDecimal expected = p.lambdaPerMillionRequests()
                .divide(BigDecimal.valueOf(1_000_000))
                .add(gbs.multiply(p.lambdaArmPerGbSecond()));
        JobCostEstimate e = model.estimate(Workload.of(1, "standard", 3000, 2000));
        assertEquals(
                0,
                JobCostEstimate.round(expected)
                        .compareTo(line(e, "Lambda worker").orElseThrow().usdPerJob()));

        JobCostEstimate halfMemory =
                model.estimate(Workload.of(1, "standard", 3000, 2000).withWorker(1, worker.memoryMb() / 2));
        BigDecimal full = line(e, "Lambda worker").orElseThrow().usdPerJob();
        BigDecimal half = line(halfMemory, "Lambda worker").orElseThrow().usdPerJob();
        assertTrue(
                half.multiply(BigDecimal.valueOf(2)).subtract(full).abs().compareTo(new BigDecimal("0.000001")) < 0,
                full + " vs " + half);
    }

    @Test
    void expressDurationIsBilledInHundredMillisecondStepsAtSixtyFourMegabytes() {
        // 100 output tokens at the fast tier: first token + 1 s, rounded up to the next 100 ms
        InfrastructurePrices.ModelSpeed speed = prices.modelSpeed("fast");
        long ms = speed.callMillis(100);
        long billed = (ms + 99) / 100 * 100;
        InfrastructurePrices.RegionPrices p = prices.region("us-east-1");
        BigDecimal expected = p.stepFunctionsExpressPerMillionRequests()
                .divide(BigDecimal.valueOf(1_000_000))
                .add(BigDecimal.valueOf(64 / 1024.0 * billed / 1000.0).multiply(p.stepFunctionsExpressPerGbSecond()));
        JobCostEstimate e = model.estimate(Workload.of(1, "fast", 500, 100));
        assertEquals(
                0,
                JobCostEstimate.round(expected)
                        .compareTo(
                                line(e, "Step Functions Express").orElseThrow().usdPerJob()));
    }

    @Test
    void dynamoDbUnitsFollowTheCallsOfOneJobIncludingItsIndexes() {
        // 3000 tokens x 4 chars + 700 fixed = 12,700 bytes queued (13 KB started); + 8,000 = 20,700 finished (21 KB)
        Workload w = Workload.of(1, "standard", 3000, 2000);
        long queued = 700 + 3000 * 4;
        long finished = queued + 2000 * 4;
        assertEquals(13, JobCostModel.writeUnits(queued));
        assertEquals(21, JobCostModel.writeUnits(finished));
        // reservation; the lane ticket; put, claim, finish at two full copies plus the active entry; the usage
        // counter; with a webhook, the settling write after the event is queued and the delivery record
        assertEquals(1 + 1 + 27 + 27 + 1 + 43, JobCostModel.writeUnits(w, queued, finished));
        assertEquals(1 + 1 + 27 + 27 + 1 + 43 + 43 + 1, JobCostModel.writeUnits(w.withWebhook(true), queued, finished));
        // authorizer 2 x 0.5 (the worker claims without reading first), each poll 6 (21 KB / 4 KB started)
        assertEquals(1, JobCostModel.readUnits(w, 1, queued, finished));
        assertEquals(3 + 2 * 6 + 2 * 1, JobCostModel.readUnits(w.withStatusPolls(2), 3, queued, finished));
        assertEquals(0.5 + 1, JobCostModel.readUnits(w.withWebhook(true), 1, queued, finished));
    }

    @Test
    void pollsAndWebhooksAddTheRequestsAndFunctionsTheyCause() {
        Workload base = Workload.of(1, "standard", 3000, 2000);
        JobCostEstimate quiet = model.estimate(base);
        assertTrue(line(quiet, "Lambda status").isEmpty());
        assertTrue(line(quiet, "Lambda webhook").isEmpty());
        assertTrue(line(quiet, "API Gateway HTTP API").orElseThrow().usage().equals("1 request"));

        JobCostEstimate polled = model.estimate(base.withStatusPolls(10));
        assertTrue(line(polled, "API Gateway HTTP API").orElseThrow().usage().startsWith("11 requests"));
        assertTrue(line(polled, "Lambda status").isPresent());
        assertTrue(polled.infrastructurePerJob().compareTo(quiet.infrastructurePerJob()) > 0);

        JobCostEstimate hooked = model.estimate(base.withWebhook(true));
        assertTrue(line(hooked, "Lambda webhook").isPresent());
        assertTrue(line(hooked, "SQS webhooks queue").isPresent());
        assertEquals(quiet.bedrockPerJob(), hooked.bedrockPerJob());
    }

    @Test
    void totalsScaleWithRequestsAndBreakEvenIsTheInstancesMonthOverTheJobsCost() {
        JobCostEstimate e = model.estimate(Workload.of(100_000, "standard", 3000, 2000));
        assertEquals(0, e.total().compareTo(e.totalPerJob().multiply(BigDecimal.valueOf(100_000))));
        List<JobCostEstimate.BreakEven> bes = e.breakEvens();
        assertEquals(prices.gpuInstances().size(), bes.size());
        for (JobCostEstimate.BreakEven be : bes) {
            BigDecimal monthly = be.instance().usdPerHour().multiply(BigDecimal.valueOf(730));
            assertEquals(0, monthly.setScale(2, java.math.RoundingMode.HALF_UP).compareTo(be.usdPerMonth()));
            BigDecimal atBreakEven = e.totalPerJob().multiply(BigDecimal.valueOf(be.jobsPerMonth()));
            assertTrue(atBreakEven.compareTo(monthly) >= 0);
            assertTrue(atBreakEven.subtract(e.totalPerJob()).compareTo(monthly) < 0);
        }
    }

    @Test
    void cheaperTiersCostLessAndEveryLineIsPositive() {
        JobCostEstimate fast = model.estimate(Workload.of(1, "fast", 3000, 2000));
        JobCostEstimate standard = model.estimate(Workload.of(1, "standard", 3000, 2000));
        JobCostEstimate reasoning = model.estimate(Workload.of(1, "reasoning", 3000, 2000));
        assertTrue(fast.totalPerJob().compareTo(standard.totalPerJob()) < 0);
        assertTrue(standard.totalPerJob().compareTo(reasoning.totalPerJob()) < 0);
        for (JobCostEstimate e : List.of(fast, standard, reasoning)) {
            e.lines().forEach(l -> assertTrue(l.usdPerJob().signum() > 0, l.toString()));
            assertEquals(
                    JobCostEstimate.BEDROCK, e.lines().get(e.lines().size() - 1).component());
        }
    }

    @Test
    void unknownRegionsTiersAndModelsAreRefusedWithWhatIsKnown() {
        IllegalArgumentException region = assertThrows(
                IllegalArgumentException.class,
                () -> model.estimate(Workload.of(1, "standard", 1, 1).withRegion("mars-1")));
        assertTrue(region.getMessage().contains("us-east-1"), region.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.estimate(Workload.of(1, "huge", 1, 1)));
        IllegalArgumentException unpriced = assertThrows(
                IllegalArgumentException.class,
                () -> model.estimate(Workload.of(1, "standard", 1, 1).withModelId("acme.unknown-v1:0")));
        assertTrue(unpriced.getMessage().contains("acme.unknown-v1:0"));
        assertThrows(IllegalArgumentException.class, () -> Workload.of(0, "standard", 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Workload.of(1, "standard", -1, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> Workload.of(1, "standard", 1, 1).withWorker(11, null));
    }
}
