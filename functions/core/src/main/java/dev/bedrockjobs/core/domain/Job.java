package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One prompt's journey through the system, as the table holds it: what was asked ({@link Request}), where it stands
 * ({@link Progress}) and its accounting ({@link Accounting}). Immutable: a state change is a new value written with a
 * conditional update, never a field set in place. A new field goes in one part, with its builder setter, and in the
 * item mapping and the view that show it.
 */
public record Job(String id, String tenantId, Request request, Progress progress, Accounting accounting) {

    public static Builder builder() {
        return new Builder(Request.builder(), Progress.builder(), Accounting.builder());
    }

    public Builder toBuilder() {
        return new Builder(request.toBuilder(), progress.toBuilder(), accounting.toBuilder())
                .id(id)
                .tenantId(tenantId);
    }

    /** Sets the id and tenant, and changes each part through its own builder. */
    public static final class Builder {
        private String id;
        private String tenantId;
        private final Request.Builder request;
        private final Progress.Builder progress;
        private final Accounting.Builder accounting;

        private Builder(Request.Builder request, Progress.Builder progress, Accounting.Builder accounting) {
            this.request = request;
            this.progress = progress;
            this.accounting = accounting;
        }

        public Builder id(String v) {
            id = v;
            return this;
        }

        public Builder tenantId(String v) {
            tenantId = v;
            return this;
        }

        public Builder request(Consumer<Request.Builder> change) {
            change.accept(request);
            return this;
        }

        public Builder progress(Consumer<Progress.Builder> change) {
            change.accept(progress);
            return this;
        }

        public Builder accounting(Consumer<Accounting.Builder> change) {
            change.accept(accounting);
            return this;
        }

        public Job build() {
            return new Job(id, tenantId, request.build(), progress.build(), accounting.build());
        }
    }

    /** What was asked: fixed at submit, never changed after. */
    public record Request(
            String tier,
            String modelId,
            String prompt,
            String system,
            int maxTokens,
            Double temperature,
            Map<String, String> metadata,
            String webhookUrl,
            String idempotencyKey,
            String requestHash,
            String batchId,
            String customId,
            Integer itemIndex,
            String cacheKey,
            Lane lane,
            boolean stream) {

        /*
         * cacheKey: set when the request asked for caching; the worker stores a successful answer under it.
         * lane: the queue its messages go to (a job stored before lanes existed is interactive).
         * stream: the answer is stored piece by piece as the model writes it (see docs/design/streaming.md).
         */

        public Request {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
            lane = lane == null ? Lane.INTERACTIVE : lane;
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            Builder b = new Builder();
            b.tier = tier;
            b.modelId = modelId;
            b.prompt = prompt;
            b.system = system;
            b.maxTokens = maxTokens;
            b.temperature = temperature;
            b.metadata = metadata;
            b.webhookUrl = webhookUrl;
            b.idempotencyKey = idempotencyKey;
            b.requestHash = requestHash;
            b.batchId = batchId;
            b.customId = customId;
            b.itemIndex = itemIndex;
            b.cacheKey = cacheKey;
            b.lane = lane;
            b.stream = stream;
            return b;
        }

        public static final class Builder {
            private String tier;
            private String modelId;
            private String prompt;
            private String system;
            private int maxTokens;
            private Double temperature;
            private Map<String, String> metadata;
            private String webhookUrl;
            private String idempotencyKey;
            private String requestHash;
            private String batchId;
            private String customId;
            private Integer itemIndex;
            private String cacheKey;
            private Lane lane;
            private boolean stream;

            public Builder tier(String v) {
                tier = v;
                return this;
            }

            public Builder modelId(String v) {
                modelId = v;
                return this;
            }

            public Builder prompt(String v) {
                prompt = v;
                return this;
            }

            public Builder system(String v) {
                system = v;
                return this;
            }

            public Builder maxTokens(int v) {
                maxTokens = v;
                return this;
            }

            public Builder temperature(Double v) {
                temperature = v;
                return this;
            }

            public Builder metadata(Map<String, String> v) {
                metadata = v;
                return this;
            }

            public Builder webhookUrl(String v) {
                webhookUrl = v;
                return this;
            }

            public Builder idempotencyKey(String v) {
                idempotencyKey = v;
                return this;
            }

            public Builder requestHash(String v) {
                requestHash = v;
                return this;
            }

            public Builder batchId(String v) {
                batchId = v;
                return this;
            }

            public Builder customId(String v) {
                customId = v;
                return this;
            }

            public Builder itemIndex(Integer v) {
                itemIndex = v;
                return this;
            }

            public Builder cacheKey(String v) {
                cacheKey = v;
                return this;
            }

            public Builder lane(Lane v) {
                lane = v;
                return this;
            }

            public Builder stream(boolean v) {
                stream = v;
                return this;
            }

            public Request build() {
                return new Request(
                        tier,
                        modelId,
                        prompt,
                        system,
                        maxTokens,
                        temperature,
                        metadata,
                        webhookUrl,
                        idempotencyKey,
                        requestHash,
                        batchId,
                        customId,
                        itemIndex,
                        cacheKey,
                        lane,
                        stream);
            }
        }
    }

    /** Where it stands. */
    public record Progress(
            JobStatus status,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt,
            int attempts,
            Result result,
            Error error,
            boolean cancelRequested,
            String fencingToken,
            Instant leaseUntil,
            Long ticket) {

        /*
         * ticket: its number in its lane's submit order, from which its queue position is estimated (null: none taken).
         */

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            Builder b = new Builder();
            b.status = status;
            b.createdAt = createdAt;
            b.startedAt = startedAt;
            b.finishedAt = finishedAt;
            b.attempts = attempts;
            b.result = result;
            b.error = error;
            b.cancelRequested = cancelRequested;
            b.fencingToken = fencingToken;
            b.leaseUntil = leaseUntil;
            b.ticket = ticket;
            return b;
        }

        public static final class Builder {
            private JobStatus status = JobStatus.QUEUED;
            private Instant createdAt;
            private Instant startedAt;
            private Instant finishedAt;
            private int attempts;
            private Result result;
            private Error error;
            private boolean cancelRequested;
            private String fencingToken;
            private Instant leaseUntil;
            private Long ticket;

            public Builder status(JobStatus v) {
                status = v;
                return this;
            }

            public Builder createdAt(Instant v) {
                createdAt = v;
                return this;
            }

            public Builder startedAt(Instant v) {
                startedAt = v;
                return this;
            }

            public Builder finishedAt(Instant v) {
                finishedAt = v;
                return this;
            }

            public Builder attempts(int v) {
                attempts = v;
                return this;
            }

            public Builder result(Result v) {
                result = v;
                return this;
            }

            public Builder error(Error v) {
                error = v;
                return this;
            }

            public Builder cancelRequested(boolean v) {
                cancelRequested = v;
                return this;
            }

            public Builder fencingToken(String v) {
                fencingToken = v;
                return this;
            }

            public Builder leaseUntil(Instant v) {
                leaseUntil = v;
                return this;
            }

            public Builder ticket(Long v) {
                ticket = v;
                return this;
            }

            public Progress build() {
                return new Progress(
                        status,
                        createdAt,
                        startedAt,
                        finishedAt,
                        attempts,
                        result,
                        error,
                        cancelRequested,
                        fencingToken,
                        leaseUntil,
                        ticket);
            }
        }
    }

    /** What it used and what it holds against its tenant's limits. */
    public record Accounting(
            Usage usage,
            BigDecimal costUsd,
            boolean cached,
            boolean holdsActiveSlot,
            boolean usageRecorded,
            boolean settled,
            long reservedTokens,
            BigDecimal reservedUsd) {

        /*
         * cached: answered from the tenant's response cache at submit (no model call, no usage).
         * holdsActiveSlot: the job was counted against its tenant's cap on queued/running jobs; releases it when done.
         * usageRecorded: the job's usage is in its tenant's monthly counters (see UsageMeter).
         * settled: finished and owing nothing more: usage counted, terminal webhook event (if any) enqueued.
         * reservedTokens, reservedUsd: the most it could use, held against its tenant's monthly budgets until counted.
         */

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            Builder b = new Builder();
            b.usage = usage;
            b.costUsd = costUsd;
            b.cached = cached;
            b.holdsActiveSlot = holdsActiveSlot;
            b.usageRecorded = usageRecorded;
            b.settled = settled;
            b.reservedTokens = reservedTokens;
            b.reservedUsd = reservedUsd;
            return b;
        }

        public static final class Builder {
            private Usage usage;
            private BigDecimal costUsd;
            private boolean cached;
            private boolean holdsActiveSlot;
            private boolean usageRecorded;
            private boolean settled;
            private long reservedTokens;
            private BigDecimal reservedUsd;

            public Builder usage(Usage v) {
                usage = v;
                return this;
            }

            public Builder costUsd(BigDecimal v) {
                costUsd = v;
                return this;
            }

            public Builder cached(boolean v) {
                cached = v;
                return this;
            }

            public Builder holdsActiveSlot(boolean v) {
                holdsActiveSlot = v;
                return this;
            }

            public Builder usageRecorded(boolean v) {
                usageRecorded = v;
                return this;
            }

            public Builder settled(boolean v) {
                settled = v;
                return this;
            }

            public Builder reserved(long tokens, BigDecimal usd) {
                reservedTokens = tokens;
                reservedUsd = usd;
                return this;
            }

            public Accounting build() {
                return new Accounting(
                        usage, costUsd, cached, holdsActiveSlot, usageRecorded, settled, reservedTokens, reservedUsd);
            }
        }
    }

    public record Result(String text, String stopReason) {}

    public record Usage(long inputTokens, long outputTokens) {}

    @SuppressWarnings("JavaLangClash") // nested in Job and always written Job.Error, never imported bare
    public record Error(String code, String message) {}
}
