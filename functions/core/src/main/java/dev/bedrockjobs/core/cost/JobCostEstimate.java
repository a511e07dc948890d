package dev.bedrockjobs.core.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * The cost of one job by component, and of the whole workload.
 *
 * @param workload     what was estimated
 * @param modelId      the model the tier mapped to
 * @param lines        one line per billed component; the last is the model's tokens
 * @param breakEvens   per always-on GPU instance, the monthly job count at which it costs what this API costs
 */
public record JobCostEstimate(Workload workload, String modelId, List<Line> lines, List<BreakEven> breakEvens) {

    static final MathContext MATH = MathContext.DECIMAL64;
    public static final String BEDROCK = "Bedrock tokens";

    /**
     * @param component the service (and function or queue) billed
     * @param usage     what is billed per job, in that service's units
     * @param usdPerJob the charge per job
     */
    public record Line(String component, String usage, BigDecimal usdPerJob) {}

    /** @param jobsPerMonth jobs a month at which the instance's bill equals this API's */
    public record BreakEven(InfrastructurePrices.GpuInstance instance, BigDecimal usdPerMonth, long jobsPerMonth) {}

    public JobCostEstimate {
        lines = List.copyOf(lines);
        breakEvens = List.copyOf(breakEvens);
    }

    public BigDecimal bedrockPerJob() {
        return lines.stream()
                .filter(l -> l.component().equals(BEDROCK))
                .map(Line::usdPerJob)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal infrastructurePerJob() {
        return lines.stream()
                .filter(l -> !l.component().equals(BEDROCK))
                .map(Line::usdPerJob)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal totalPerJob() {
        return bedrockPerJob().add(infrastructurePerJob());
    }

    public BigDecimal total() {
        return totalPerJob().multiply(BigDecimal.valueOf(workload.requests()), MATH);
    }

    /** Infrastructure as a fraction of the model's bill (0.01 = 1%), or null when the model costs nothing. */
    public BigDecimal infrastructureShareOfBedrock() {
        BigDecimal bedrock = bedrockPerJob();
        return bedrock.signum() == 0 ? null : infrastructurePerJob().divide(bedrock, MATH);
    }

    static BigDecimal round(BigDecimal usd) {
        return usd.setScale(8, RoundingMode.HALF_UP);
    }
}
