package dev.bedrockjobs.core.cost;

import dev.bedrockjobs.core.model.Cost;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.model.Pricing;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of one job through the whole deployment, counted from what the code does per job: the API Gateway
 * requests, each function's invocations at its memory and duration, the SQS requests, the Express execution, the
 * DynamoDB request units of every read and write (index writes included), log bytes, and the model's tokens.
 *
 * <p>The DynamoDB count follows the code path of a single job (no batch): the submit handler reserves the idempotency
 * key (one small write) and puts the job; the worker claims it and finishes it with two conditional updates (it
 * reads the job only when a claim is refused, which a fresh message almost never is), counting the job's usage into
 * the tenant's month just before the terminal write (which also takes out earlier jobs' pending notes), so that the
 * terminal write marks it counted and settled; a job with a webhook is settled by one more write once its event is
 * enqueued.
 * Per-tenant limits, when configured, add one small write each at submit. {@code byTenant} projects ALL attributes,
 * so a write to a job also writes it there at full size; {@code active} projects five small attributes, so while
 * the job sits in it (until settled) each write adds one unit there. A write costs one unit per started KB of the
 * larger of the item before and after; a strongly consistent read one unit per started 4 KB, an eventually
 * consistent one half that.
 */
public final class JobCostModel {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);
    private static final BigDecimal MB_PER_GB = BigDecimal.valueOf(1024);
    private static final BigDecimal MS_PER_S = BigDecimal.valueOf(1000);
    private static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1L << 30);
    /** Express executions are billed in 64 MB steps of memory and 100 ms steps of time; a job's uses the first step. */
    static final int EXPRESS_BILLED_MB = 64;

    static final int EXPRESS_BILLING_STEP_MS = 100;
    /** Indexes holding a whole single (not batched) job: byTenant. */
    static final int FULL_INDEXES = 1;
    /** The active index's entry of a job: keys and five small attributes, one unit a write. */
    static final int ACTIVE_ENTRY_UNITS = 1;

    private static final double HOURS_PER_MONTH = 730;

    private final InfrastructurePrices prices;
    private final Pricing pricing;
    private final ModelCatalog catalog;

    public JobCostModel(InfrastructurePrices prices, Pricing pricing, ModelCatalog catalog) {
        this.prices = prices;
        this.pricing = pricing;
        this.catalog = catalog;
    }

    /** The bundled prices and the default tier-to-model mapping (template parameters at their defaults). */
    public static JobCostModel bundled() {
        return new JobCostModel(InfrastructurePrices.load(), Pricing.load(), ModelCatalog.from(Map.of()));
    }

    /**
     * @throws IllegalArgumentException for an unknown tier or region, or a model without a token price
     */
    public JobCostEstimate estimate(Workload w) {
        InfrastructurePrices.RegionPrices p = prices.region(w.region());
        String modelId = w.modelId() != null ? w.modelId() : catalog.modelIdFor(w.tier());
        Cost tokens = pricing.costOf(modelId, w.inputTokens(), w.outputTokens());
        if (tokens == null) {
            throw new IllegalArgumentException("no token price for model '" + modelId + "'");
        }
        long modelMs = prices.modelSpeed(w.tier()).callMillis(w.outputTokens());
        int polls = w.statusPolls();
        double perWorkerInvocation = 1.0 / w.workerBatchSize();
        List<JobCostEstimate.Line> lines = new ArrayList<>();

        double apiRequests = 1 + polls;
        lines.add(new JobCostEstimate.Line(
                "API Gateway HTTP API",
                count(apiRequests) + (apiRequests == 1 ? " request" : " requests"),
                perMillion(p.apiGatewayHttpPerMillionRequests(), apiRequests)));

        // The authorizer's answer is cached per key for up to a minute, so this is an upper bound.
        lines.add(lambda(p, "authorizer", apiRequests, prices.function("authorizer"), null));
        lines.add(lambda(p, "submit", 1, prices.function("submit"), null));
        if (polls > 0) {
            lines.add(lambda(p, "status", polls, prices.function("status"), null));
        }
        InfrastructurePrices.FunctionProfile worker = prices.function("worker");
        lines.add(lambda(
                p,
                "worker",
                perWorkerInvocation,
                new InfrastructurePrices.FunctionProfile(
                        w.workerMemoryMb() != null ? w.workerMemoryMb() : worker.memoryMb(),
                        Math.toIntExact(worker.durationMs() + modelMs)),
                "waits " + seconds(modelMs) + " s on the model"));
        if (w.webhook()) {
            lines.add(lambda(p, "webhook", 1, prices.function("webhook"), null));
        }

        // send + receive + delete in its lane; the worker receives and deletes its batch with one request each; a
        // status poll reads the lane's counts for the queue place (an upper bound: only polls of a queued job do)
        double jobQueueRequests = 1 + 2 * perWorkerInvocation + polls;
        lines.add(new JobCostEstimate.Line(
                "SQS jobs queue",
                count(jobQueueRequests) + " requests (send, receive, delete" + (polls > 0 ? ", lane counts" : "") + ")",
                perMillion(p.sqsPerMillionRequests(), jobQueueRequests)));
        if (w.webhook()) {
            lines.add(new JobCostEstimate.Line(
                    "SQS webhooks queue",
                    "3 requests (send, receive, delete)",
                    perMillion(p.sqsPerMillionRequests(), 3)));
        }

        long billedMs = ceilDiv(Math.max(1, modelMs), EXPRESS_BILLING_STEP_MS) * EXPRESS_BILLING_STEP_MS;
        BigDecimal expressGbSeconds = gbSeconds(EXPRESS_BILLED_MB, billedMs);
        lines.add(new JobCostEstimate.Line(
                "Step Functions Express",
                "1 request + " + seconds(billedMs) + " s x " + EXPRESS_BILLED_MB + " MB",
                perMillion(p.stepFunctionsExpressPerMillionRequests(), 1)
                        .add(expressGbSeconds.multiply(p.stepFunctionsExpressPerGbSecond(), JobCostEstimate.MATH))));

        long queuedBytes = prices.jobFixedBytes() + w.inputTokens() * prices.charsPerToken();
        long finishedBytes = queuedBytes + w.outputTokens() * prices.charsPerToken();
        // the lane's throughput: one small write per worker invocation
        double writeUnits = writeUnits(w, queuedBytes, finishedBytes) + perWorkerInvocation;
        double readUnits = readUnits(w, apiRequests, queuedBytes, finishedBytes);
        lines.add(new JobCostEstimate.Line(
                "DynamoDB writes",
                count(writeUnits) + " WRU (job item ~" + kb(queuedBytes) + " KB queued, ~" + kb(finishedBytes)
                        + " KB finished)",
                perMillion(p.dynamoDbPerMillionWriteUnits(), writeUnits)));
        lines.add(new JobCostEstimate.Line(
                "DynamoDB reads", count(readUnits) + " RRU", perMillion(p.dynamoDbPerMillionReadUnits(), readUnits)));

        BigDecimal logBytes = BigDecimal.valueOf(prices.logBytesPerJob());
        lines.add(new JobCostEstimate.Line(
                "CloudWatch Logs",
                prices.logBytesPerJob() + " bytes ingested",
                logBytes.divide(BYTES_PER_GB, JobCostEstimate.MATH)
                        .multiply(p.logsPerGbIngested(), JobCostEstimate.MATH)));

        lines.add(new JobCostEstimate.Line(
                JobCostEstimate.BEDROCK,
                w.inputTokens() + " in x $"
                        + tokens.inputUsdPer1k().stripTrailingZeros().toPlainString() + "/1K + " + w.outputTokens()
                        + " out x $"
                        + tokens.outputUsdPer1k().stripTrailingZeros().toPlainString() + "/1K",
                tokens.usd()));

        List<JobCostEstimate.Line> rounded = lines.stream()
                .map(l -> new JobCostEstimate.Line(l.component(), l.usage(), JobCostEstimate.round(l.usdPerJob())))
                .toList();
        BigDecimal perJob =
                rounded.stream().map(JobCostEstimate.Line::usdPerJob).reduce(BigDecimal.ZERO, BigDecimal::add);
        List<JobCostEstimate.BreakEven> breakEvens = new ArrayList<>();
        for (InfrastructurePrices.GpuInstance gpu : prices.gpuInstances()) {
            BigDecimal monthly = gpu.usdPerHour().multiply(BigDecimal.valueOf(HOURS_PER_MONTH), JobCostEstimate.MATH);
            long jobs = perJob.signum() == 0
                    ? Long.MAX_VALUE
                    : monthly.divide(perJob, JobCostEstimate.MATH)
                            .setScale(0, RoundingMode.CEILING)
                            .longValueExact();
            breakEvens.add(new JobCostEstimate.BreakEven(gpu, monthly.setScale(2, RoundingMode.HALF_UP), jobs));
        }
        return new JobCostEstimate(w, modelId, rounded, breakEvens);
    }

    /** Write request units of one job, from the calls the submit handler, worker and webhook function make. */
    static double writeUnits(Workload w, long queuedBytes, long finishedBytes) {
        int fullCopies = 1 + FULL_INDEXES;
        double units = 0;
        if (w.idempotencyKey()) {
            units += 1; // the reservation item: keys, job id, hash, ttl; no index attributes
        }
        units += 1; // the lane's ticket counter (one write per submit request, however many jobs)
        units += fullCopies * writeUnits(queuedBytes) + ACTIVE_ENTRY_UNITS; // put the queued job
        units += fullCopies * writeUnits(queuedBytes) + ACTIVE_ENTRY_UNITS; // claim: status, token, lease, ...
        units += 1; // usage, once: the month's counter, noting the job pending (and earlier notes removed)
        units += fullCopies * writeUnits(finishedBytes) + ACTIVE_ENTRY_UNITS; // finish: result, counted, settled
        if (w.webhook()) {
            units += fullCopies * writeUnits(finishedBytes) + ACTIVE_ENTRY_UNITS; // settled once the event is queued
            units += 1; // the delivery attempt record
        }
        return units;
    }

    static double readUnits(Workload w, double authorizerCalls, long queuedBytes, long finishedBytes) {
        double units = authorizerCalls * 2 * 0.5; // key then tenant, small items, eventually consistent
        units += w.statusPolls() * strongReadUnits(finishedBytes); // an upper bound: the item at its finished size
        // a queued job's place: the lane's ticket item and its recent throughput (two small eventually consistent
        // reads); an upper bound, as only polls of a queued job make them
        units += w.statusPolls() * 2 * 0.5;
        if (w.webhook()) {
            units += 0.5; // the tenant's signing secret
        }
        return units;
    }

    static long writeUnits(long bytes) {
        return ceilDiv(Math.max(1, bytes), 1024);
    }

    static long strongReadUnits(long bytes) {
        return ceilDiv(Math.max(1, bytes), 4096);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static JobCostEstimate.Line lambda(
            InfrastructurePrices.RegionPrices p,
            String function,
            double invocations,
            InfrastructurePrices.FunctionProfile profile,
            String note) {
        BigDecimal gbs = gbSeconds(profile.memoryMb(), profile.durationMs());
        BigDecimal usd = perMillion(p.lambdaPerMillionRequests(), invocations)
                .add(gbs.multiply(p.lambdaArmPerGbSecond(), JobCostEstimate.MATH)
                        .multiply(BigDecimal.valueOf(invocations), JobCostEstimate.MATH));
        String usage = count(invocations) + " x " + profile.memoryMb() + " MB x " + seconds(profile.durationMs()) + " s"
                + (note == null ? "" : " (" + note + ")");
        return new JobCostEstimate.Line("Lambda " + function, usage, usd);
    }

    private static BigDecimal gbSeconds(int memoryMb, long millis) {
        return BigDecimal.valueOf(memoryMb)
                .divide(MB_PER_GB, JobCostEstimate.MATH)
                .multiply(BigDecimal.valueOf(millis).divide(MS_PER_S, JobCostEstimate.MATH), JobCostEstimate.MATH);
    }

    private static BigDecimal perMillion(BigDecimal price, double quantity) {
        return price.multiply(BigDecimal.valueOf(quantity), JobCostEstimate.MATH)
                .divide(MILLION, JobCostEstimate.MATH);
    }

    private static String count(double n) {
        return n == Math.rint(n) ? String.valueOf((long) n) : String.format(Locale.ROOT, "%.2f", n);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0)
                .replaceAll("0+$", "")
                .replaceAll("\\.$", "");
    }

    private static String kb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1024.0);
    }
}
