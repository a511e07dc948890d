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

    /**
     * Applies the usage and outcome of a job that the caller, holding its claim as {@code attempt}, is about to write
     * as finished; the terminal write then marks it {@code usageRecorded}. Numbers an earlier attempt added and did
     * not finish with are replaced. If the terminal write is refused, {@link #undoAhead} takes them out again.
     */
    void recordAhead(Job finishing, String attempt);

    /** Takes out what {@link #recordAhead} added for an attempt whose terminal write was refused. */
    void undoAhead(Job finishing, String attempt);

    /** The job is marked {@code usageRecorded}: what kept a repeated {@link #record} harmless may go. */
    void settled(Job job);

    /** Writes now what {@link #settled} left for later, at the end of an invocation. */
    void flush();

    /** What a tenant has spent in a month so far, and what it has committed (for budgets): one read. */
    Spent spent(String tenantId, YearMonth month);

    /**
     * Holds the most new jobs could use against the month's budgets (0 = no budget), unless that would take what is
     * committed (usage counted plus holds of jobs not counted yet) over one. A job's hold is let go when its usage
     * is counted ({@link #record} adds the difference). @return false, holding nothing, if over a budget
     */
    boolean hold(String tenantId, YearMonth month, long tokens, BigDecimal usd, long tokenBudget, BigDecimal usdBudget);

    /** Lets go of a hold whose jobs were not written after all. */
    void letGo(String tenantId, YearMonth month, long tokens, BigDecimal usd);

    /** The tenant's full report for a month. */
    MonthlyUsage report(String tenantId, YearMonth month);

    /** Usage counted so far, and that plus the holds of jobs not counted yet. */
    record Spent(long tokens, BigDecimal costUsd, long committedTokens, BigDecimal committedUsd) {
        public static final Spent NOTHING = new Spent(0, BigDecimal.ZERO);

        public Spent(long tokens, BigDecimal costUsd) {
            this(tokens, costUsd, tokens, costUsd);
        }
    }
}
