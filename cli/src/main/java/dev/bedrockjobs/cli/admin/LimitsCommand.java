package dev.bedrockjobs.cli.admin;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import dev.bedrockjobs.core.admin.TenantAdmin;
import dev.bedrockjobs.core.admin.TenantAdmin.Limit;
import dev.bedrockjobs.core.domain.TenantLimits;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code admin limits show|set}: a tenant's own limits, the attributes of its tenant item. The deployment's defaults
 * are template parameters the table does not hold, so they are named, not guessed.
 */
@Command(
        name = "limits",
        mixinStandardHelpOptions = true,
        description = "Show and change a tenant's own limits and response-cache setting (0 = no limit).",
        subcommands = {LimitsCommand.Show.class, LimitsCommand.Set.class})
public final class LimitsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public LimitsCommand(CliContext ctx) {}

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    /** One line per setting: the tenant's value, or where the effective one comes from. */
    static void print(PrintWriter out, String tenant, TenantLimits.Overrides o) {
        String format = "%-24s  %-14s  %s%n";
        out.println("Limits of tenant " + tenant + ":");
        out.printf(format, "LIMIT", "TENANT", "EFFECTIVE");
        for (Limit l : Limit.values()) {
            Object v = l.of(o);
            out.printf(
                    format,
                    l.option(),
                    v == null ? "-" : text(v),
                    v == null
                            ? "deployment default (template parameter " + l.parameter() + ")"
                            : text(v) + " (tenant)" + (isUnlimited(v) ? ", no limit" : ""));
        }
        out.flush();
    }

    private static String text(Object v) {
        return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
    }

    private static boolean isUnlimited(Object v) {
        return (v instanceof Long n && n == 0) || (v instanceof BigDecimal d && d.signum() == 0);
    }

    static TenantLimits.Overrides orNoTenant(Optional<TenantLimits.Overrides> o, String tenant) {
        return o.orElseThrow(() -> new CliException(
                CliException.FAILED,
                "no tenant " + tenant + ": a tenant is made with its first key ('admin keys create --tenant " + tenant
                        + "')"));
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print a tenant's own limits and, for the others, which deployment default applies.")
    public static final class Show implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        TableOptions table;

        @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "the tenant id")
        String tenant;

        public Show(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            var o = orNoTenant(
                    table.withTenants(ctx, c -> new TenantAdmin(c.tenants(), c.limitOverrides()).overrides(tenant)),
                    tenant);
            print(spec.commandLine().getOut(), tenant, o);
            return 0;
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = {
                "Set or clear a tenant's own limits; the others stay as they are.",
                "0 lifts a limit for the tenant; --clear NAME goes back to the deployment's default.",
                "The submit function picks a change up within 30 s."
            })
    public static final class Set implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        TableOptions table;

        @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "the tenant id")
        String tenant;

        @Option(names = "--rate-limit", paramLabel = "N", description = "submit requests per second")
        Long rateLimit;

        @Option(names = "--max-active-jobs", paramLabel = "N", description = "jobs queued or running at once")
        Long maxActiveJobs;

        @Option(names = "--monthly-token-budget", paramLabel = "N", description = "tokens per calendar month (UTC)")
        Long monthlyTokenBudget;

        @Option(names = "--monthly-cost-budget-usd", paramLabel = "USD", description = "model cost per month (UTC)")
        BigDecimal monthlyCostBudgetUsd;

        @Option(
                names = "--cache-responses",
                paramLabel = "true|false",
                description = "whether jobs use the response cache when they do not say")
        String cacheResponses;

        @Option(
                names = "--interactive-batches",
                paramLabel = "true|false",
                description = "whether a batch may ask for the interactive lane (priority: interactive)")
        String interactiveBatches;

        @Option(
                names = "--clear",
                paramLabel = "NAME",
                description = "remove this override (rate-limit, max-active-jobs, monthly-token-budget, "
                        + "monthly-cost-budget-usd, cache-responses, interactive-batches); repeatable")
        List<String> clear = new ArrayList<>();

        public Set(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            Map<Limit, Object> set = new EnumMap<>(Limit.class);
            put(set, Limit.RATE_LIMIT, rateLimit);
            put(set, Limit.MAX_ACTIVE_JOBS, maxActiveJobs);
            put(set, Limit.MONTHLY_TOKEN_BUDGET, monthlyTokenBudget);
            put(set, Limit.MONTHLY_COST_BUDGET_USD, monthlyCostBudgetUsd);
            putFlag(set, Limit.CACHE_RESPONSES, cacheResponses);
            putFlag(set, Limit.INTERACTIVE_BATCHES, interactiveBatches);
            EnumSet<Limit> cleared = EnumSet.noneOf(Limit.class);
            try {
                clear.forEach(name -> cleared.add(Limit.named(name)));
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--clear: " + e.getMessage());
            }
            var o = orNoTenant(
                    table.withTenants(
                            ctx, c -> new TenantAdmin(c.tenants(), c.limitOverrides()).change(tenant, set, cleared)),
                    tenant);
            print(spec.commandLine().getOut(), tenant, o);
            return 0;
        }

        private static void putFlag(Map<Limit, Object> set, Limit l, String v) {
            if (v != null) {
                if (!v.equals("true") && !v.equals("false")) {
                    throw CliException.usage("--" + l.option() + " is true or false, not '" + v + "'");
                }
                set.put(l, Boolean.valueOf(v));
            }
        }

        private static void put(Map<Limit, Object> set, Limit l, Object v) {
            if (v != null) {
                set.put(l, v);
            }
        }
    }
}
