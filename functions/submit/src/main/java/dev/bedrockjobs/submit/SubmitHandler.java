package dev.bedrockjobs.submit;

import dev.bedrockjobs.lambda.ApiHandler;
import dev.bedrockjobs.lambda.Priming;
import dev.bedrockjobs.lambda.TenantIdentity;
import java.util.Map;

/**
 * POST /v1/jobs and POST /v1/batches, sent to the submit service by the route table in {@link SubmitRoot}: validates,
 * stores and enqueues the prompts, answers 202 with the job or batch view.
 */
public class SubmitHandler extends ApiHandler {
    public SubmitHandler() {
        this(System.getenv());
    }

    public SubmitHandler(Map<String, String> env) {
        super(SubmitRoot.routes(env), TenantIdentity.from(env));
    }

    /**
     * SnapStart priming: the path of a first request with a submission that fails validation: parsed, refused,
     * nothing stored.
     */
    @Override
    protected void prime() {
        Priming.quietly("submit", () -> handleRequest(Priming.invalidSubmission(), null));
    }
}
