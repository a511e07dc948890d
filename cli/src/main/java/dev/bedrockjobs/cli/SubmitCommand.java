package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = {
            "Submit one prompt as a job and print its id.",
            "With --wait, wait for the answer and print its text instead (exit 1 if the job failed or was canceled).",
            "With --stream, print the answer as the model writes it."
        })
final class SubmitCommand implements Callable<Integer> {
    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Mixin
    ApiOptions api;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "the prompt; - reads it from standard input")
    String prompt;

    @Option(
            names = "--model",
            paramLabel = "TIER",
            converter = ModelTier.class,
            completionCandidates = ModelTier.Candidates.class,
            description = "model tier: ${COMPLETION-CANDIDATES} (default: the API's, standard)")
    String model;

    @Option(names = "--system", paramLabel = "TEXT", description = "system prompt")
    String system;

    @Option(names = "--max-tokens", paramLabel = "N", description = "most output tokens")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "sampling temperature, 0 to 1")
    Double temperature;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "metadata to store with the job (repeatable)")
    Map<String, String> metadata;

    @Option(names = "--wait", description = "wait until the job is finished and print the answer's text")
    boolean await;

    @Option(names = "--json", description = "print the job view as JSON instead")
    boolean json;

    @Option(
            names = "--stream",
            description = "stream the answer: print it as the model writes it, until the job ends (exit 1 if it "
                    + "failed or was canceled; a failure after the answer began keeps what was written)")
    boolean stream;

    SubmitCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text = "-".equals(prompt) ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : prompt;
        if (text.isBlank()) {
            throw CliException.usage("the prompt is empty");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw CliException.usage("--max-tokens must be at least 1");
        }
        ObjectNode body = Json.object().put("prompt", text);
        if (system != null) {
            body.put("system", system);
        }
        if (model != null) {
            body.put("model", model);
        }
        if (maxTokens != null) {
            body.put("maxTokens", maxTokens);
        }
        if (temperature != null) {
            body.put("temperature", temperature);
        }
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode md = body.putObject("metadata");
            metadata.forEach(md::put);
        }
        if (stream) {
            body.put("stream", true);
        }
        ApiClient client = api.client(ctx, err);
        JsonNode job = client.submitJob(body);
        String id = Json.text(job, "id");
        if (id == null) {
            throw new CliException(CliException.FAILED, "the API accepted the job but sent no id");
        }
        if (stream && !json) {
            return Jobs.follow(client, id, out, err);
        }
        if (!await) {
            out.println(json ? Json.pretty(job) : id);
            return 0;
        }
        JsonNode done = Jobs.await(client, id, ctx.sleeper());
        if (json) {
            out.println(Json.pretty(done));
        } else if (Jobs.succeeded(done)) {
            out.println(Json.text(done.path("result"), "text"));
        }
        out.flush();
        if (!Jobs.succeeded(done)) {
            err.println("bedrock-jobs: " + Jobs.outcome(done));
            return CliException.FAILED;
        }
        return 0;
    }
}
