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

    /**
     * Applies a terminal job's usage and outcome to its tenant's month, unless the job is marked
     * {@code usageRecorded}. Until {@link #settled} is called for it, repeating the call changes nothing; the
     * caller marks the job in between.
     */
    void record(Job job);

    /** The job is marked {@code usageRecorded}: what kept a repeated {@link #record} harmless may go. */
    void settled(Job job);

    /** Writes now what {@link #settled} left for later, at the end of an invocation. */
    void flush();

    /** What a tenant has spent in a month so far (for budgets): one read. */
    Spent spent(String tenantId, YearMonth month);

    /** The tenant's full report for a month. */
    MonthlyUsage report(String tenantId, YearMonth month);

    record Spent(long tokens, BigDecimal costUsd) {
        public static final Spent NOTHING = new Spent(0, BigDecimal.ZERO);
    }
}
