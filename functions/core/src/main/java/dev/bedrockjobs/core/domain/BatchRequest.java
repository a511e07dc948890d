package dev.bedrockjobs.core.domain;

import java.util.List;

/** A validated batch: its items, each a complete job request with the batch defaults applied. */
public record BatchRequest(List<Item> items, String webhookUrl, String idempotencyKey) {

    public record Item(String customId, JobRequest request) {
    }

    public BatchRequest {
        items = List.copyOf(items);
    }
}
