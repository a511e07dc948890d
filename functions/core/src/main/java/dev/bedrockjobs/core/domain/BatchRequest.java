package dev.bedrockjobs.core.domain;

import java.util.List;

/**
 * A validated batch: its items, each a complete job request with the batch defaults applied, and the lane it asked
 * for (null: bulk).
 */
public record BatchRequest(List<Item> items, String webhookUrl, String idempotencyKey, Lane lane) {

    public record Item(String customId, JobRequest request) {}

    public BatchRequest {
        items = List.copyOf(items);
    }
}
