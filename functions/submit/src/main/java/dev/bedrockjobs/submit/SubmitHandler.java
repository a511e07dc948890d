package dev.bedrockjobs.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.Routes;
import dev.bedrockjobs.lambda.HttpApi;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.TenantIdentity;
import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/**
 * POST /v1/jobs and POST /v1/batches, sent to the submit service by the route table in {@link SubmitRoot}: validates,
 * stores and enqueues the prompts, answers 202 with the job or batch view.
 */
public class SubmitHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    private final Routes routes;
    private final TenantIdentity identity;

    public SubmitHandler() {
        this(System.getenv());
    }

    public SubmitHandler(Map<String, String> env) {
        this(SubmitRoot.routes(env), TenantIdentity.from(env));
    }

    SubmitHandler(Routes routes) {
        this(routes, TenantIdentity.LAMBDA_AUTHORIZER);
    }

    SubmitHandler(Routes routes, TenantIdentity identity) {
        this.routes = routes;
        this.identity = identity;
        Core.getGlobalContext().register(this);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApi.handle(event, identity, routes);
    }

    /**
     * SnapStart: before the snapshot, the path of a first request with a submission that fails validation: parsed,
     * refused, nothing stored.
     */
    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        Priming.jobJsonAndItems();
        Priming.quietly("submit", () -> handleRequest(Priming.invalidSubmission(), null));
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // nothing was made at snapshot time that must differ per environment
    }
}
