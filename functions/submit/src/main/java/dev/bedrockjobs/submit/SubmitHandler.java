package dev.bedrockjobs.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.bedrockjobs.core.api.SubmitService;
import dev.bedrockjobs.lambda.HttpApi;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.TenantIdentity;
import org.crac.Core;
import org.crac.Resource;

import java.util.Map;

/** POST /v1/jobs: validates, stores and enqueues one prompt, answers 202 with the job view. */
public class SubmitHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>, Resource {
    private final SubmitService service;
    private final TenantIdentity identity;

    public SubmitHandler() {
        this(System.getenv());
    }

    public SubmitHandler(Map<String, String> env) {
        this(SubmitRoot.service(env), TenantIdentity.from(env));
    }

    SubmitHandler(SubmitService service) {
        this(service, TenantIdentity.LAMBDA_AUTHORIZER);
    }

    SubmitHandler(SubmitService service, TenantIdentity identity) {
        this.service = service;
        this.identity = identity;
        Core.getGlobalContext().register(this);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return HttpApi.handle(event, identity, service::handle);
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
