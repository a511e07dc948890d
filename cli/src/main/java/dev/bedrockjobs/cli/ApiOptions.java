package dev.bedrockjobs.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** The options of every command that calls the API. */
final class ApiOptions {
    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "API base URL (default: $BEDROCK_JOBS_URL, else " + ApiConfig.DEFAULT_URL + ")")
    String url;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "API key (default: $BEDROCK_JOBS_API_KEY, else the local stack's .local/dev-api-key)")
    String apiKey;

    /** A client for the resolved URL and key; retry notices go to {@code err}. */
    ApiClient client(CliContext ctx, PrintWriter err) {
        ApiConfig config = ApiConfig.resolve(url, apiKey, ctx);
        return new ApiClient(config, ctx.sleeper(), message -> {
            // on a terminal the notice replaces a progress bar being drawn; the next update redraws it
            err.print((ctx.stderrIsTerminal() ? "\r\033[K" : "") + "bedrock-jobs: " + message + System.lineSeparator());
            err.flush();
        });
    }
}
