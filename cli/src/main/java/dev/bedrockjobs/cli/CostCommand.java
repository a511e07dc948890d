package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.cost.JobCostEstimate;
import dev.bedrockjobs.core.cost.JobCostModel;
import dev.bedrockjobs.core.cost.Workload;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "cost",
        mixinStandardHelpOptions = true,
        description = {
            "Estimate what jobs cost on AWS, by component: API Gateway, each Lambda function at its "
                    + "memory and duration, SQS, Step Functions Express, DynamoDB, logs and the model's tokens.",
            "Prices are list prices bundled with this version (see docs/cost.md); no AWS call is made."
        })
final class CostCommand implements Callable<Integer> {
    private final JobCostModel model;

    @Spec
    CommandSpec spec;

    @Option(names = "--requests", defaultValue = "1", description = "jobs submitted (default ${DEFAULT-VALUE})")
    long requests;

    @Option(
            names = {"--tier", "--model"},
            defaultValue = "standard",
            converter = ModelTier.class,
            completionCandidates = ModelTier.Candidates.class,
            description = "model tier: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    String tier;

    @Option(names = "--in", defaultValue = "3000", description = "input tokens per job (default ${DEFAULT-VALUE})")
    long inputTokens;

    @Option(names = "--out", defaultValue = "2000", description = "output tokens per job (default ${DEFAULT-VALUE})")
    long outputTokens;

    @Option(
            names = "--region",
            defaultValue = Workload.DEFAULT_REGION,
            description = "AWS region whose prices apply (default ${DEFAULT-VALUE})")
    String region;

    @Option(names = "--model-id", description = "the Bedrock model id the tier maps to, if not the template's default")
    String modelId;

    @Option(names = "--polls", defaultValue = "0", description = "status polls per job (default ${DEFAULT-VALUE})")
    int polls;

    @Option(names = "--webhook", description = "each job has a webhook to deliver")
    boolean webhook;

    @Option(
            names = "--worker-batch",
            defaultValue = "1",
            description = "jobs per worker invocation, 1-10: under load the worker shares one wait among its batch "
                    + "(default ${DEFAULT-VALUE})")
    int workerBatch;

    @Option(names = "--worker-memory", description = "the worker's memory in MB, if not the template's")
    Integer workerMemory;

    @Option(names = "--json", description = "print the estimate as JSON")
    boolean json;

    CostCommand(CliContext ctx) {
        this(JobCostModel.bundled());
    }

    CostCommand(JobCostModel model) {
        this.model = model;
    }

    @Override
    public Integer call() {
        JobCostEstimate e;
        try {
            Workload w = new Workload(
                    requests,
                    tier,
                    modelId,
                    inputTokens,
                    outputTokens,
                    region,
                    polls,
                    webhook,
                    true,
                    workerBatch,
                    workerMemory);
            e = model.estimate(w);
        } catch (IllegalArgumentException ex) {
            throw new CliException(CliException.USAGE, ex.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.pretty(toJson(e)) + System.lineSeparator() : text(e));
        out.flush();
        return 0;
    }

    static String text(JobCostEstimate e) {
        Workload w = e.workload();
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%,d %s job%s (%s, %d tokens in, %d out) in %s%n%n",
                w.requests(),
                w.tier(),
                w.requests() == 1 ? "" : "s",
                e.modelId(),
                w.inputTokens(),
                w.outputTokens(),
                w.region()));
        String row = "%-24s %-64s %14s %16s%n";
        b.append(String.format(Locale.ROOT, row, "component", "per job", "USD per job", "USD total"));
        BigDecimal n = BigDecimal.valueOf(w.requests());
        for (JobCostEstimate.Line l : e.lines()) {
            if (l.component().equals(JobCostEstimate.BEDROCK)) {
                b.append(String.format(
                        Locale.ROOT,
                        row,
                        "infrastructure",
                        "",
                        usd(e.infrastructurePerJob(), 8),
                        usd(e.infrastructurePerJob().multiply(n), 4)));
            }
            b.append(String.format(
                    Locale.ROOT,
                    row,
                    l.component(),
                    l.usage(),
                    usd(l.usdPerJob(), 8),
                    usd(l.usdPerJob().multiply(n), 4)));
        }
        b.append(String.format(Locale.ROOT, row, "total", "", usd(e.totalPerJob(), 8), usd(e.total(), 4)));
        BigDecimal share = e.infrastructureShareOfBedrock();
        if (share != null) {
            b.append(String.format(
                    Locale.ROOT,
                    "%nInfrastructure is %s%% of the model's bill.%n",
                    share.movePointRight(2).setScale(2, RoundingMode.HALF_UP).toPlainString()));
        }
        b.append(String.format(
                Locale.ROOT, "%nBreak-even against an always-on GPU instance (on-demand, 730 h a month):%n"));
        for (JobCostEstimate.BreakEven be : e.breakEvens()) {
            b.append(String.format(
                    Locale.ROOT,
                    "  %-12s %-22s %12s a month = %,d jobs a month%n",
                    be.instance().name(),
                    be.instance().gpus(),
                    usd(be.usdPerMonth(), 2),
                    be.jobsPerMonth()));
        }
        return b.toString();
    }

    private static String usd(BigDecimal v, int scale) {
        return "$" + v.setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }

    static ObjectNode toJson(JobCostEstimate e) {
        Workload w = e.workload();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("requests", w.requests())
                .put("tier", w.tier())
                .put("modelId", e.modelId())
                .put("inputTokens", w.inputTokens())
                .put("outputTokens", w.outputTokens())
                .put("region", w.region());
        ArrayNode lines = root.putArray("lines");
        for (JobCostEstimate.Line l : e.lines()) {
            lines.addObject()
                    .put("component", l.component())
                    .put("usage", l.usage())
                    .put("usdPerJob", l.usdPerJob().toPlainString());
        }
        root.put("infrastructureUsdPerJob", e.infrastructurePerJob().toPlainString());
        root.put("bedrockUsdPerJob", e.bedrockPerJob().toPlainString());
        root.put("totalUsdPerJob", e.totalPerJob().toPlainString());
        root.put("totalUsd", e.total().toPlainString());
        BigDecimal share = e.infrastructureShareOfBedrock();
        if (share != null) {
            root.put(
                    "infrastructureShareOfBedrock",
                    share.setScale(6, RoundingMode.HALF_UP).toPlainString());
        }
        ArrayNode bes = root.putArray("breakEven");
        for (JobCostEstimate.BreakEven be : e.breakEvens()) {
            bes.addObject()
                    .put("instance", be.instance().name())
                    .put("gpus", be.instance().gpus())
                    .put("usdPerHour", be.instance().usdPerHour().toPlainString())
                    .put("usdPerMonth", be.usdPerMonth().toPlainString())
                    .put("jobsPerMonth", be.jobsPerMonth());
        }
        return root;
    }
}
