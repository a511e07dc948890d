package dev.bedrockjobs.core.domain;

/**
 * A request refused by one of its tenant's limits, before anything of it was written: it may be sent again once
 * {@code retryAfterSeconds} have passed. The API answers it with a 429 problem carrying {@link #code}.
 */
public final class LimitExceeded extends RuntimeException {
    public static final String RATE_LIMITED = "rate_limited";
    public static final String TOO_MANY_ACTIVE_JOBS = "too_many_active_jobs";
    public static final String BUDGET_EXCEEDED = "budget_exceeded";

    private final String code;
    private final String title;
    private final long retryAfterSeconds;

    public LimitExceeded(String code, String title, String detail, long retryAfterSeconds) {
        // an answer, not a fault: no stack trace to fill
        super(detail, null, false, false);
        this.code = code;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
