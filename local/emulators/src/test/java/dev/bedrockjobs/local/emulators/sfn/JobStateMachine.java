package dev.bedrockjobs.local.emulators.sfn;

import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code statemachine/job.asl.json} with the default substitution values used locally and in tests. */
public final class JobStateMachine {

    /** The values template.yaml is expected to pass through DefinitionSubstitutions by default. */
    public static final Map<String, Object> DEFAULTS = Map.of(
            "ThrottleIntervalSeconds", 2,
            "ThrottleMaxAttempts", 6,
            "BackoffRate", 2,
            "MaxDelaySeconds", 30,
            "ServerErrorIntervalSeconds", 1,
            "ServerErrorMaxAttempts", 3,
            "TimeoutMaxAttempts", 1,
            "AttemptTimeoutSeconds", 60,
            "ExecutionTimeoutSeconds", 240,
            // a streamed job's task; the engine in these tests runs no function, so a streamed job fails there
            "StreamFunctionArn", "arn:aws:lambda:us-east-1:000000000000:function:bedrock-jobs-stream");

    private JobStateMachine() {}

    public static Path file() {
        return RepoRoot.require().resolve("statemachine").resolve("job.asl.json");
    }

    /** The file as committed, placeholders included. */
    public static String template() {
        try {
            return Files.readString(file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The definition with {@link #DEFAULTS} substituted. */
    public static String definition() {
        return DefinitionSubstitutions.apply(template(), DEFAULTS);
    }
}
