package dev.bedrockjobs.local.emulators.sfn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code statemachine/job.asl.json} checked by the npm {@code asl-validator}. The committed file is a SAM template
 * (unquoted numeric {@code ${...}} placeholders), not JSON, so it is validated after substituting the default
 * values, exactly as CloudFormation would substitute them.
 */
class JobDefinitionValidationTest {

    @Test
    void usesExactlyThePlaceholdersTheTemplateMustSubstitute() {
        assertEquals(
                JobStateMachine.DEFAULTS.keySet(), DefinitionSubstitutions.placeholders(JobStateMachine.template()));
    }

    @Test
    void theSubstitutedDefinitionIsValidAsl(@TempDir Path dir) throws Exception {
        Path definition = dir.resolve("job.asl.json");
        Files.writeString(definition, JobStateMachine.definition());

        Result result = aslValidator(definition);

        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("is valid"), result.output());
    }

    @Test
    void theValidatorRefusesTheUnsubstitutedTemplate() throws Exception {
        Result result = aslValidator(JobStateMachine.file());

        assertNotEquals(0, result.exitCode(), result.output());
    }

    private record Result(int exitCode, String output) {}

    private static Result aslValidator(Path definition) throws IOException, InterruptedException {
        Path validator = RepoRoot.nodeModule(".bin/asl-validator");
        Process process = new ProcessBuilder(
                        List.of("node", validator.toString(), "--json-path", definition.toString()))
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "asl-validator did not finish");
        return new Result(process.exitValue(), output);
    }
}
