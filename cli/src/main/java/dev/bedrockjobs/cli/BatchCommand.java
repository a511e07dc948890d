package dev.bedrockjobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "batch",
        mixinStandardHelpOptions = true,
        description = "Submit many prompts as one batch, follow it, and read its results.",
        subcommands = {BatchCommand.Submit.class, BatchCommand.Status.class, BatchCommand.Results.class})
final class BatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Submit the items of a JSON Lines file as one batch and print the batch id.",
                "Each line is an item: {\"customId\"?, \"prompt\", \"system\"?, \"model\"?, \"maxTokens\"?, "
                        + "\"temperature\"?, \"metadata\"?}.",
                "With --wait, show progress on standard error until every item is finished, then print the "
                        + "results (NDJSON, as 'batch results') and exit 1 if any item failed."
            })
    static final class Submit implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        ApiOptions api;

        @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "the items; - reads standard input")
        String file;

        @Option(
                names = "--model",
                paramLabel = "TIER",
                converter = ModelTier.class,
                completionCandidates = ModelTier.Candidates.class,
                description = "default model tier of the items: ${COMPLETION-CANDIDATES}")
        String model;

        @Option(names = "--system", paramLabel = "TEXT", description = "default system prompt of the items")
        String system;

        @Option(names = "--max-tokens", paramLabel = "N", description = "default most output tokens of the items")
        Integer maxTokens;

        @Option(names = "--wait", description = "wait for the batch to finish, then print its results")
        boolean await;

        @Option(names = "--no-progress", negatable = false, description = "with --wait, show no progress")
        boolean noProgress;

        Submit(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (maxTokens != null && maxTokens < 1) {
                throw CliException.usage("--max-tokens must be at least 1");
            }
            JsonlItems items = read();
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("items");
            items.items().forEach(i -> list.add(i.json()));
            if (model != null || system != null || maxTokens != null) {
                ObjectNode defaults = body.putObject("defaults");
                if (system != null) {
                    defaults.put("system", system);
                }
                if (model != null) {
                    defaults.put("model", model);
                }
                if (maxTokens != null) {
                    defaults.put("maxTokens", maxTokens);
                }
            }
            body.put("idempotencyKey", "cli-" + UUID.randomUUID()); // a retried POST cannot enqueue twice
            ApiClient client = api.client(ctx, err);
            JsonNode batch;
            try {
                batch = client.submitBatch(body);
            } catch (ApiException e) {
                throw e.relabel(items::label);
            }
            String id = Json.text(batch, "id");
            if (id == null) {
                throw new CliException(CliException.FAILED, "the API accepted the batch but sent no id");
            }
            if (!await) {
                out.println(id);
                return 0;
            }
            err.println("bedrock-jobs: batch " + id + ": " + items.items().size() + " items submitted");
            err.flush();
            ProgressDisplay progress = new ProgressDisplay(
                    err, ProgressDisplay.mode(ctx.stderrIsTerminal(), !noProgress), System::currentTimeMillis);
            BatchWatcher.await(client, id, progress, ctx.sleeper());
            AtomicInteger failed = new AtomicInteger();
            client.batchResults(id, line -> {
                out.println(line);
                out.flush();
                try {
                    if (!"succeeded".equals(Json.text(Json.parse(line), "status"))) {
                        failed.incrementAndGet();
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                }
            });
            return failed.get() > 0 ? CliException.FAILED : 0;
        }

        private JsonlItems read() throws IOException {
            if ("-".equals(file)) {
                return JsonlItems.parse(
                        "<stdin>", new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
            }
            Path path = ctx.workingDirectory().resolve(file);
            try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                return JsonlItems.parse(file, in);
            } catch (NoSuchFileException e) {
                throw CliException.usage("no such file: " + file);
            } catch (java.nio.charset.MalformedInputException e) {
                throw CliException.usage(file + " is not UTF-8 text");
            }
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Show a batch's progress: counts per status, tokens, cost, done.")
    static final class Status implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        ApiOptions api;

        @Parameters(index = "0", paramLabel = "ID", description = "the batch id")
        String id;

        @Option(names = "--json", description = "print the batch view as JSON")
        boolean json;

        Status(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            JsonNode view = api.client(ctx, spec.commandLine().getErr()).getBatch(id);
            if (json) {
                out.println(Json.pretty(view));
                return 0;
            }
            BatchProgress p = BatchProgress.of(view);
            out.printf("%-9s %s%n", "batch", p.id());
            out.printf("%-9s %s%s%n", "status", p.status(), p.done() ? " (done)" : "");
            out.printf(
                    "%-9s %d/%d finished: %d succeeded, %d failed, %d canceled; %d queued, %d running%n",
                    "progress",
                    p.finished(),
                    p.total(),
                    p.succeeded(),
                    p.failed(),
                    p.canceled(),
                    p.queued(),
                    p.running());
            out.printf(
                    "%-9s %s in / %s out%n", "tokens", Format.tokens(p.inputTokens()), Format.tokens(p.outputTokens()));
            out.printf("%-9s %s%n", "cost", Format.usd(p.costUsd()));
            out.printf("%-9s %s%n", "created", Json.text(view, "createdAt"));
            if (Json.text(view, "finishedAt") != null) {
                out.printf("%-9s %s%n", "finished", Json.text(view, "finishedAt"));
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "results",
            mixinStandardHelpOptions = true,
            description = {
                "Print a batch's results as they stream: one JSON line per item, in item order "
                        + "(customId, jobId, status, text, usage, cost, error)."
            })
    static final class Results implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        ApiOptions api;

        @Parameters(index = "0", paramLabel = "ID", description = "the batch id")
        String id;

        Results(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            api.client(ctx, spec.commandLine().getErr()).batchResults(id, line -> {
                out.println(line);
                out.flush();
            });
            return 0;
        }
    }
}
