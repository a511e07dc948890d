package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.MonthlyUsage;

import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * Each tenant's monthly usage (tokens, cost, finished jobs per model), attributed to the month (UTC) a job was
 * submitted in. Every terminal job is applied exactly once, whatever the crashes and redeliveries in between.
 */
public interface UsageMeter {

    /** Applies a terminal job's usage and outcome to its tenant's month, once; a repeated call changes nothing. */
    void record(Job job);

    /** What a tenant has spent in a month so far (for budgets): one read. */
    Spent spent(String tenantId, YearMonth month);

    /** The tenant's full report for a month. */
    MonthlyUsage report(String tenantId, YearMonth month);

    record Spent(long tokens, BigDecimal costUsd) {
        public static final Spent NOTHING = new Spent(0, BigDecimal.ZERO);
    }
}
