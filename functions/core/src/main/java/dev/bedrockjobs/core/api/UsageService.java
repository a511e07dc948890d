package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.MonthlyUsage;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.port.UsageMeter;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * GET /v1/usage?month=YYYY-MM[&by=day]: the calling tenant's usage in a month (default: the current month, UTC), and
 * with {@code by=day} the same numbers per day of submission, from the same read as the totals.
 */
public final class UsageService {
    private final UsageMeter meter;
    private final Clock clock;

    public UsageService(UsageMeter meter, Clock clock) {
        this.meter = meter;
        this.clock = clock;
    }

    public ApiResponse report(ApiRequest request) {
        YearMonth month = month(request.queryParameter("month"));
        String by = request.queryParameter("by");
        if (by != null && !by.equals("day")) {
            throw ValidationException.of("by", "must be day");
        }
        MonthlyUsage usage = meter.report(request.tenantId(), month);
        ObjectNode view = view(usage);
        if (by != null) {
            ArrayNode days = view.putArray("byDay");
            for (MonthlyUsage.DayUsage d : usage.byDay()) {
                ObjectNode item = days.addObject();
                item.put("date", d.date().toString());
                counts(item, d.counts(), null);
            }
        }
        return ApiResponse.json(200, view);
    }

    private YearMonth month(String text) {
        if (text == null) {
            return YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC));
        }
        if (!text.matches("\\d{4}-(0[1-9]|1[0-2])")) {
            throw ValidationException.of("month", "must be a month as YYYY-MM");
        }
        return YearMonth.parse(text);
    }

    static ObjectNode view(MonthlyUsage u) {
        ObjectNode n = Json.object();
        n.put("month", u.month().toString());
        counts(n, u.totals(), u.submitted());
        ArrayNode models = n.putArray("byModel");
        for (MonthlyUsage.ModelUsage m : u.byModel()) {
            ObjectNode item = models.addObject();
            item.put("modelId", m.modelId());
            counts(item, m.counts(), null);
        }
        return n;
    }

    /** @param submitted only for the month as a whole: jobs still queued are not counted per model */
    private static void counts(ObjectNode n, MonthlyUsage.Counts c, Long submitted) {
        n.put("inputTokens", c.inputTokens());
        n.put("outputTokens", c.outputTokens());
        n.putObject("cost").put("usd", c.costUsd());
        ObjectNode jobs = n.putObject("jobs");
        if (submitted != null) {
            jobs.put("submitted", submitted);
        }
        jobs.put("succeeded", c.succeeded()).put("failed", c.failed()).put("canceled", c.canceled());
    }
}
