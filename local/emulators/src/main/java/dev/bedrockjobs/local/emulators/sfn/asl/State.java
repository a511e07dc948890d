package dev.bedrockjobs.local.emulators.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The state types the engine implements, as parsed and checked data. {@code next == null} marks an end state.
 * Running them is the engine's job ({@code sfn.engine}); this package only describes them.
 */
public sealed interface State {

    String name();

    /**
     * @param parameters     null when absent (the effective input is the task's parameters)
     * @param resultSelector null when absent
     * @param timeoutSeconds null when absent (no per-attempt limit)
     */
    record Task(
            String name,
            String resource,
            IoPath inputPath,
            PayloadTemplate parameters,
            PayloadTemplate resultSelector,
            ResultPath resultPath,
            IoPath outputPath,
            Integer timeoutSeconds,
            List<Retrier> retriers,
            List<Catcher> catchers,
            String next)
            implements State {}

    /** @param result the {@code Result} field, or null when absent */
    record Pass(
            String name,
            IoPath inputPath,
            PayloadTemplate parameters,
            JsonNode result,
            ResultPath resultPath,
            IoPath outputPath,
            String next)
            implements State {}

    /** @param defaultNext null when absent: no matching rule fails with {@code States.NoChoiceMatched} */
    record Choice(String name, IoPath inputPath, IoPath outputPath, List<Rule> choices, String defaultNext)
            implements State {}

    record Rule(Condition condition, String next) {}

    record Succeed(String name, IoPath inputPath, IoPath outputPath) implements State {}

    /** @param error null when absent, as is {@code cause} */
    record Fail(String name, String error, String cause) implements State {}
}
