package dev.bedrockjobs.core.domain;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

/**
 * One tenant's usage in one calendar month (UTC), by the month its jobs were submitted in.
 *
 * @param activeJobs jobs of that month still queued or running (submitted = active + finished)
 * @param byDay      the month's days (UTC) that jobs submitted on counted usage for, in order; their counts add up to
 *                   the totals for jobs counted since the meter kept days
 */
public record MonthlyUsage(
        YearMonth month, Counts totals, long activeJobs, List<ModelUsage> byModel, List<DayUsage> byDay) {

    public MonthlyUsage {
        byModel = List.copyOf(byModel);
        byDay = List.copyOf(byDay);
    }

    public MonthlyUsage(YearMonth month, Counts totals, long activeJobs, List<ModelUsage> byModel) {
        this(month, totals, activeJobs, byModel, List.of());
    }

    public long submitted() {
        return activeJobs + totals.succeeded() + totals.failed() + totals.canceled();
    }

    /** Tokens, cost and finished jobs, for the whole month or one model. */
    public record Counts(
            long inputTokens, long outputTokens, BigDecimal costUsd, long succeeded, long failed, long canceled) {
        public static final Counts ZERO = new Counts(0, 0, BigDecimal.ZERO, 0, 0, 0);
    }

    public record ModelUsage(String modelId, Counts counts) {}

    public record DayUsage(LocalDate date, Counts counts) {}
}
