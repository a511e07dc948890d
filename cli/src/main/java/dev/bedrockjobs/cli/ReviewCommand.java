package dev.bedrockjobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "review",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Review the changes of a git work tree against a base, one model call per changed file, all "
                    + "in one batch.",
            "Binary files and files whose diff is larger than --max-file-bytes are skipped, each with a note. "
                    + "Progress goes to standard error; the reviews, grouped by file, and a summary to standard "
                    + "output.",
            "With --stream, each file's review is printed as the model writes it, one file after another, then "
                    + "the summary.",
            "Exit 0 if every file was reviewed, 1 if any review failed, 2 for usage or configuration errors."
        })
final class ReviewCommand implements Callable<Integer> {
    /** The API's limits (DESIGN §3 and the request parser): prompt and system bytes, items, customId length. */
    static final int MAX_PROMPT_BYTES = 100_000;

    static final int MAX_SYSTEM_BYTES = 20_000;
    static final int MAX_ITEMS = 1000;
    static final int MAX_CUSTOM_ID_LENGTH = 256;
    static final int DEFAULT_MAX_FILE_BYTES = 60_000;

    private final CliContext ctx;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--base",
            paramLabel = "REF",
            defaultValue = "HEAD",
            description =
                    "compare the work tree (staged and unstaged changes) with this commit (default: ${DEFAULT-VALUE})")
    String base;

    @Option(
            names = "--merge-base",
            description = "compare with the merge base of --base and HEAD instead: only "
                    + "the branch's own changes (e.g. --base origin/main --merge-base in CI)")
    boolean mergeBase;

    @Option(
            names = "--paths",
            paramLabel = "GLOB",
            arity = "1..*",
            description = "review only these paths (git pathspecs, e.g. 'src/**/*.java')")
    List<String> paths = new ArrayList<>();

    @Option(
            names = "--model",
            paramLabel = "TIER",
            converter = ModelTier.class,
            completionCandidates = ModelTier.Candidates.class,
            description = "model tier: ${COMPLETION-CANDIDATES} (default: the API's, standard)")
    String model;

    @Option(
            names = "--instructions",
            paramLabel = "FILE",
            description = "the reviewer's instructions (system prompt) instead of the built-in ones")
    Path instructions;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "text",
            converter = FormatConverter.class,
            description = "text, markdown (e.g. for a CI comment) or json (default: ${DEFAULT-VALUE})")
    ReportFormat format;

    @Option(
            names = "--stream",
            description = "print each file's review as the model writes it, one file after another (a file "
                    + "finished before its turn comes whole), then the failed and skipped files and the summary; "
                    + "text output only, without a progress bar")
    boolean stream;

    @Option(
            names = "--max-file-bytes",
            paramLabel = "N",
            defaultValue = "" + DEFAULT_MAX_FILE_BYTES,
            description = "skip a file whose diff is larger than N bytes (default: ${DEFAULT-VALUE})")
    int maxFileBytes;

    @Option(
            names = {"-U", "--context"},
            paramLabel = "LINES",
            defaultValue = "10",
            description = "unchanged lines shown around each change (default: ${DEFAULT-VALUE})")
    int context;

    @Option(names = "--max-tokens", paramLabel = "N", description = "most output tokens per review")
    Integer maxTokens;

    @Option(names = "-C", paramLabel = "DIR", description = "run in DIR instead of the current folder")
    Path directory;

    @Option(names = "--no-progress", negatable = false, description = "show no progress on standard error")
    boolean noProgress;

    @Mixin
    ApiOptions api;

    ReviewCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<ReportFormat> {
        @Override
        public ReportFormat convert(String value) {
            try {
                return ReportFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** A file to review and its prompt. */
    record Planned(FileDiff file, String prompt) {}

    /** The files of a diff sorted into those to review and those skipped (with why). */
    record Plan(List<FileDiff> files, List<Planned> reviews, Map<String, ReviewReport.FileReview> skipped) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        validate();
        CliContext here = directory != null ? ctx.withWorkingDirectory(directory) : ctx;
        if (!Files.isDirectory(here.workingDirectory())) {
            throw CliException.usage("no such folder: " + here.workingDirectory());
        }
        String system = systemPrompt(here);
        long started = System.currentTimeMillis();

        List<FileDiff> files = Git.diff(here.workingDirectory(), base, mergeBase, context, paths, maxFileBytes);
        Plan plan = plan(files, maxFileBytes, context);
        for (ReviewReport.FileReview s : plan.skipped().values()) {
            err.println("bedrock-jobs: skipping " + s.path() + ": " + s.errorMessage());
        }
        err.flush();
        if (plan.reviews().size() > MAX_ITEMS) {
            throw CliException.usage(plan.reviews().size() + " files to review, more than the " + MAX_ITEMS
                    + " items a batch may hold: narrow the review with --paths");
        }
        if (plan.reviews().isEmpty()) {
            err.println("bedrock-jobs: "
                    + (files.isEmpty()
                            ? "no changes against " + (mergeBase ? "the merge base of " : "") + base
                            : "nothing to review"));
            ReviewReport report = report(plan, null, Map.of(), Duration.ofMillis(System.currentTimeMillis() - started));
            out.print(ReportWriter.write(report, format));
            out.flush();
            return 0;
        }

        ApiClient client = api.client(here, err);
        JsonNode batch = client.submitBatch(batchRequest(plan, system, model, maxTokens, stream));
        String batchId = Json.text(batch, "id");
        if (batchId == null) {
            throw new CliException(CliException.FAILED, "the API accepted the batch but sent no id");
        }
        err.println("bedrock-jobs: reviewing " + plan.reviews().size() + " file"
                + (plan.reviews().size() == 1 ? "" : "s") + " in batch " + batchId);
        err.flush();
        if (stream) {
            Map<String, String> changes = new HashMap<>();
            plan.reviews().forEach(p -> changes.put(p.file().path(), p.file().describeChange()));
            ReviewStream.print(
                    client, batchId, path -> ReportWriter.heading(path, changes.get(path)), out, here.sleeper());
            // every file has ended; the batch's counts and usage are final once it says it is done
            BatchWatcher.await(
                    client,
                    batchId,
                    new ProgressDisplay(err, ProgressDisplay.Mode.NONE, System::currentTimeMillis),
                    here.sleeper());
        } else {
            // standard output gets nothing until the end, so standard error can show the progress meanwhile
            ProgressDisplay progress = new ProgressDisplay(
                    err, ProgressDisplay.mode(here.stderrIsTerminal(), !noProgress), System::currentTimeMillis);
            BatchWatcher.await(client, batchId, progress, here.sleeper());
        }

        Map<String, JsonNode> results = new HashMap<>();
        client.batchResults(batchId, line -> {
            try {
                JsonNode n = Json.parse(line);
                String customId = Json.text(n, "customId");
                if (customId != null) {
                    results.put(customId, n);
                }
            } catch (JsonProcessingException e) {
                throw new CliException(
                        CliException.FAILED, "batch " + batchId + " sent a results line that is " + "not JSON");
            }
        });
        ReviewReport report = report(plan, batchId, results, Duration.ofMillis(System.currentTimeMillis() - started));
        out.print(stream ? ReportWriter.afterStream(report) : ReportWriter.write(report, format));
        out.flush();
        return report.exitCode();
    }

    private void validate() {
        if (maxFileBytes < 1) {
            throw CliException.usage("--max-file-bytes must be at least 1");
        }
        if (context < 0) {
            throw CliException.usage("--context must not be negative");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw CliException.usage("--max-tokens must be at least 1");
        }
        if (base.isBlank() || base.startsWith("-")) {
            throw CliException.usage("--base must name a commit, not '" + base + "'");
        }
        if (stream && format != ReportFormat.TEXT) {
            // a streamed section is printed before its outcome is known; markdown and json are built from outcomes
            throw CliException.usage("--stream prints text as it is written; it cannot be combined with --format "
                    + format.name().toLowerCase(Locale.ROOT));
        }
    }

    private String systemPrompt(CliContext here) {
        if (instructions == null) {
            return ReviewPrompts.defaultInstructions();
        }
        Path file = here.workingDirectory().resolve(instructions);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw CliException.usage("--instructions: no such file: " + instructions);
        } catch (IOException e) {
            throw CliException.usage("--instructions: cannot read " + instructions + ": " + e.getMessage());
        }
        if (text.isEmpty()) {
            throw CliException.usage("--instructions: " + instructions + " is empty");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SYSTEM_BYTES) {
            throw CliException.usage("--instructions: " + instructions + " is " + bytes + " bytes; the API takes at "
                    + "most " + MAX_SYSTEM_BYTES);
        }
        return text;
    }

    /** Sorts the diff's files into reviews (with their prompts) and skips, keeping diff order. */
    static Plan plan(List<FileDiff> files, int maxFileBytes, int context) {
        List<Planned> reviews = new ArrayList<>();
        Map<String, ReviewReport.FileReview> skipped = new java.util.LinkedHashMap<>();
        for (FileDiff f : files) {
            String why = null;
            String code = null;
            String prompt = null;
            if (f.binary()) {
                code = "binary";
                why = "binary file";
            } else if (f.oversize()) {
                code = "too_large";
                why = "its diff is " + Format.tokens(f.bytes()) + " bytes, over the limit of "
                        + Format.tokens(maxFileBytes) + " (--max-file-bytes)";
            } else if (!f.hasHunks()) {
                code = "no_changes";
                why = switch (f.changeType()) {
                    case RENAMED -> "renamed from " + f.oldPath() + " without changes";
                    case COPIED -> "copied from " + f.oldPath() + " without changes";
                    case ADDED -> "new empty file";
                    case DELETED -> "empty file deleted";
                    case MODIFIED -> "mode change only";
                };
            } else if (f.path().length() > MAX_CUSTOM_ID_LENGTH) {
                code = "path_too_long";
                why = "the path is longer than " + MAX_CUSTOM_ID_LENGTH + " characters";
            } else {
                prompt = ReviewPrompts.userPrompt(f, context);
                int bytes = prompt.getBytes(StandardCharsets.UTF_8).length;
                if (bytes > MAX_PROMPT_BYTES) {
                    code = "prompt_too_large";
                    why = "its prompt is " + Format.tokens(bytes) + " bytes, over the API's limit of "
                            + Format.tokens(MAX_PROMPT_BYTES);
                }
            }
            if (why != null) {
                skipped.put(f.path(), ReviewReport.FileReview.skipped(f, code, why));
            } else {
                reviews.add(new Planned(f, prompt));
            }
        }
        return new Plan(files, reviews, skipped);
    }

    /**
     * {@code POST /v1/batches}: one item per file, customId and metadata.path the file's path; with {@code stream},
     * every answer is stored piece by piece as it is written, so it can be read while the batch runs.
     */
    static ObjectNode batchRequest(Plan plan, String system, String model, Integer maxTokens, boolean stream) {
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("items");
        for (Planned p : plan.reviews()) {
            ObjectNode item = items.addObject();
            item.put("customId", p.file().path());
            item.put("prompt", p.prompt());
            item.putObject("metadata").put("path", p.file().path());
        }
        ObjectNode defaults = body.putObject("defaults");
        defaults.put("system", system);
        if (model != null) {
            defaults.put("model", model);
        }
        if (maxTokens != null) {
            defaults.put("maxTokens", maxTokens);
        }
        if (stream) {
            defaults.put("stream", true);
        }
        body.put("idempotencyKey", "cli-review-" + UUID.randomUUID());
        return body;
    }

    /** Every file of the diff, in order: skipped ones with why, submitted ones with their result line. */
    ReviewReport report(Plan plan, String batchId, Map<String, JsonNode> results, Duration elapsed) {
        List<ReviewReport.FileReview> out = new ArrayList<>();
        for (FileDiff f : plan.files()) {
            ReviewReport.FileReview skip = plan.skipped().get(f.path());
            if (skip != null) {
                out.add(skip);
                continue;
            }
            out.add(fileReview(f, results.get(f.path())));
        }
        return new ReviewReport(batchId, base, mergeBase, model, out, elapsed);
    }

    static ReviewReport.FileReview fileReview(FileDiff f, JsonNode line) {
        if (line == null) {
            return new ReviewReport.FileReview(
                    f.path(),
                    f.oldPath(),
                    f.describeChange(),
                    ReviewReport.FAILED,
                    null,
                    0,
                    0,
                    0,
                    "missing_result",
                    "the batch's results have no line for this file");
        }
        String status = Json.text(line, "status");
        JsonNode error = line.get("error");
        String code = error != null && !error.isNull() ? Json.text(error, "code") : null;
        String message = error != null && !error.isNull() ? Json.text(error, "message") : null;
        if (!"succeeded".equals(status) && code == null) {
            code = status;
            message = "the review did not finish (" + status + ")";
        }
        return new ReviewReport.FileReview(
                f.path(),
                f.oldPath(),
                f.describeChange(),
                status == null ? ReviewReport.FAILED : status,
                Json.text(line, "text"),
                Json.count(line, "usage", "inputTokens"),
                Json.count(line, "usage", "outputTokens"),
                Json.usd(line),
                code,
                message);
    }
}
