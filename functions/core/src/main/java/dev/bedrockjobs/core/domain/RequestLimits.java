package dev.bedrockjobs.core.domain;

/**
 * Size limits on what a client may send. They keep one job item well under DynamoDB's 400 KB item limit with room
 * for the model's answer, and keep a state machine input under Step Functions' 256 KiB.
 */
public record RequestLimits(
        int maxPromptBytes,
        int maxSystemBytes,
        int maxMetadataEntries,
        int maxMetadataKeyLength,
        int maxMetadataValueLength,
        int maxIdempotencyKeyLength) {

    public static final RequestLimits DEFAULT = new RequestLimits(100_000, 20_000, 16, 64, 512, 128);
}
