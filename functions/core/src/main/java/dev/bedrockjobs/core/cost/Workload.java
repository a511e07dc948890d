package dev.bedrockjobs.core.cost;

import java.util.Objects;

/**
 * What a cost estimate is asked about: a number of single jobs of one tier and size, and how clients follow them.
 *
 * @param requests          jobs submitted (each one POST /v1/jobs)
 * @param tier              the model tier asked for ({@code fast}, {@code standard}, {@code reasoning})
 * @param modelId           the Bedrock model id the tier maps to, or null for the default mapping
 * @param inputTokens       input (system + prompt) tokens per job
 * @param outputTokens      output tokens per job
 * @param region            the AWS region whose prices apply
 * @param statusPolls       GET /v1/jobs/{id} calls per job (0 when the client takes a webhook instead)
 * @param webhook           whether each job has a webhook to deliver
 * @param idempotencyKey    whether submissions carry an idempotency key (the CLI always sends one)
 * @param workerBatchSize   jobs the worker handles per invocation, side by side (1 at low traffic, up to the
 *                          queue mapping's batch size under load): one invocation's duration is shared by them
 * @param workerMemoryMb    the worker's memory, or null for the template's
 */
public record Workload(
        long requests,
        String tier,
        String modelId,
        long inputTokens,
        long outputTokens,
        String region,
        int statusPolls,
        boolean webhook,
        boolean idempotencyKey,
        int workerBatchSize,
        Integer workerMemoryMb) {

    public static final String DEFAULT_REGION = "us-east-1";

    public Workload {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(region, "region");
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1");
        }
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (statusPolls < 0) {
            throw new IllegalArgumentException("status polls must not be negative");
        }
        if (workerBatchSize < 1 || workerBatchSize > 10) {
            throw new IllegalArgumentException("the worker batch size must be between 1 and 10");
        }
        if (workerMemoryMb != null && (workerMemoryMb < 128 || workerMemoryMb > 10240)) {
            throw new IllegalArgumentException("the worker memory must be between 128 and 10240 MB");
        }
    }

    /** One job per request, no polls, no webhook, an idempotency key, the worker at its template memory. */
    public static Workload of(long requests, String tier, long inputTokens, long outputTokens) {
        return new Workload(requests, tier, null, inputTokens, outputTokens, DEFAULT_REGION, 0, false, true, 1, null);
    }

    public Workload withStatusPolls(int polls) {
        return new Workload(
                requests,
                tier,
                modelId,
                inputTokens,
                outputTokens,
                region,
                polls,
                webhook,
                idempotencyKey,
                workerBatchSize,
                workerMemoryMb);
    }

    public Workload withWebhook(boolean on) {
        return new Workload(
                requests,
                tier,
                modelId,
                inputTokens,
                outputTokens,
                region,
                statusPolls,
                on,
                idempotencyKey,
                workerBatchSize,
                workerMemoryMb);
    }

    public Workload withWorker(int batchSize, Integer memoryMb) {
        return new Workload(
                requests,
                tier,
                modelId,
                inputTokens,
                outputTokens,
                region,
                statusPolls,
                webhook,
                idempotencyKey,
                batchSize,
                memoryMb);
    }

    public Workload withRegion(String r) {
        return new Workload(
                requests,
                tier,
                modelId,
                inputTokens,
                outputTokens,
                r,
                statusPolls,
                webhook,
                idempotencyKey,
                workerBatchSize,
                workerMemoryMb);
    }

    public Workload withModelId(String id) {
        return new Workload(
                requests,
                tier,
                id,
                inputTokens,
                outputTokens,
                region,
                statusPolls,
                webhook,
                idempotencyKey,
                workerBatchSize,
                workerMemoryMb);
    }
}
