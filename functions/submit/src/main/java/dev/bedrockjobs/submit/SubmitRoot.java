package dev.bedrockjobs.submit;

import dev.bedrockjobs.core.api.JobRequestParser;
import dev.bedrockjobs.core.api.Routes;
import dev.bedrockjobs.core.api.SubmitLimits;
import dev.bedrockjobs.core.api.SubmitService;
import dev.bedrockjobs.core.domain.RequestLimits;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.core.model.ModelCatalog;
import dev.bedrockjobs.core.model.Pricing;
import dev.bedrockjobs.core.webhook.WebhookUrlPolicy;
import dev.bedrockjobs.lambda.Components;
import java.time.Duration;
import java.util.Map;

/** The submit function's composition root: its service and its routes, built once per instance. */
public final class SubmitRoot {
    /** How long an instance keeps a tenant's own limits before reading them again. */
    static final Duration TENANT_SETTINGS_TTL = Duration.ofSeconds(30);
    /** How long an idempotency key answers with the job or batch it first made. */
    static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);

    private SubmitRoot() {}

    public static Routes routes(Map<String, String> env) {
        Components c = new Components(env);
        ModelCatalog catalog = ModelCatalog.from(env);
        JobRequestParser parser =
                new JobRequestParser(catalog, RequestLimits.DEFAULT, new WebhookUrlPolicy(c.webhookGuard()));
        SubmitLimits limits = new SubmitLimits(
                c.tenantLimitOverrides(),
                TenantLimits.fromEnvironment(env),
                c.limitCounters(),
                c.usageMeter(),
                Pricing.load(),
                c.clock(),
                TENANT_SETTINGS_TTL);
        return routes(new SubmitService(
                c.jobStore(),
                c.batchStore(),
                c.jobQueue(),
                parser,
                catalog,
                c.clock(),
                IDEMPOTENCY_WINDOW,
                limits,
                c.responseCache(),
                c.jobOutcomes(),
                c.laneStats()));
    }

    /** Every route of the template's SubmitFunction, by the route key API Gateway sends. */
    static Routes routes(SubmitService submit) {
        return Routes.builder()
                .route("POST /v1/jobs", submit::submit)
                .route("POST /v1/batches", submit::submitBatch)
                .build();
    }
}
