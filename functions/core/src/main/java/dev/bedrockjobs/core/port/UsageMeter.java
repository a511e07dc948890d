package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.BudgetHold;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import java.math.BigDecimal;
import java.time.YearMonth;

/**
 * Each tenant's monthly usage (tokens, cost, finished jobs per model), attributed to the month (UTC) a job was
 * submitted in, and the budget holds of its jobs not counted yet. Every terminal job is counted exactly once,
 * whatever the crashes and redeliveries in between; how a charge and a hold combine is
 * {@link dev.bedrockjobs.core.domain.UsageCharge}'s, the meter only stores it.
 */
public interface UsageMeter {

    /** Opens a unit of counting; whoever opens it closes it (try-with-resources). */
    Unit open();

    /**
     * Counting done together, by one process, for as long as it settles a set of jobs (an SQS batch, a reconciler
     * run, a request). What keeps a repeated count harmless is removed once the job is marked counted: with a later
     * write of the unit, at the latest on {@link #close}. A unit may be used by several threads at once.
     */
    interface Unit extends AutoCloseable {

        /**
         * Counts a terminal job's charge in its tenant's month, unless the job is marked {@code usageRecorded}.
         * Until {@link #settled} is called for it, repeating the call changes nothing; the caller marks the job in
         * between.
         */
        void count(Job job);

        /**
         * Counts the charge of a job that the caller, holding its claim as {@code attempt}, is about to write as
         * finished; the terminal write then marks it {@code usageRecorded}. A charge an earlier attempt counted and
         * did not finish with is replaced. If the terminal write is refused, {@link #withdrawAhead} takes it out.
         */
        void countAhead(Job finishing, String attempt);

        /** Takes out what {@link #countAhead} counted for an attempt whose terminal write was refused. */
        void withdrawAhead(Job finishing, String attempt);

        /** The job is marked {@code usageRecorded}: what kept a repeated {@link #count} harmless may go. */
        void settled(Job job);

        /**
         * Writes what {@link #settled} left. A failure costs only tidiness (no path counts a marked job): what was
         * not written is carried to the next unit this meter opens, and the failure is thrown.
         */
        @Override
        void close();
    }

    /** What a tenant has spent in a month so far, and what it has committed (for budgets): one read. */
    Spent spent(String tenantId, YearMonth month);

    /**
     * Takes a hold for new jobs against the month's budgets (0 = no budget), unless that would take what is
     * committed (usage counted plus holds of jobs not counted yet) over one. A job's hold is replaced by its charge
     * when it is counted. @return false, holding nothing, if over a budget
     */
    boolean hold(String tenantId, YearMonth month, BudgetHold hold, long tokenBudget, BigDecimal usdBudget);

    /** Releases a hold whose jobs were not written after all. */
    void release(String tenantId, YearMonth month, BudgetHold hold);

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
