package dev.bedrockjobs.local.emulators.sfn.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Load-time refusals: each names the state and the field, and says what is wrong. */
class DefinitionRefusalTest {

    private static final String TASK = "arn:aws:states:::test:task";

    /** Accepts only {@link #TASK}, with any parameters named p, q or ModelId. */
    private static final ResourceCatalog CATALOG = (state, resource, parameters) -> {
        if (!TASK.equals(resource)) {
            throw new AslDefinitionException(state, "Resource", "the resource '" + resource + "' is not supported");
        }
        if (parameters != null && !Set.of("p", "q", "ModelId").containsAll(parameters.outputKeys())) {
            throw new AslDefinitionException(state, "Parameters", "unsupported parameter");
        }
    };

    private static String machine(String stateJson) {
        return "{\"StartAt\": \"S\", \"States\": {\"S\": " + stateJson + "}}";
    }

    private static String task(String extraFields) {
        return machine("{\"Type\": \"Task\", \"Resource\": \"" + TASK + "\", " + extraFields + " \"End\": true}");
    }

    static java.util.stream.Stream<Arguments> refusals() {
        return java.util.stream.Stream.of(
                Arguments.of(machine("{\"Type\": \"Map\", \"End\": true}"), "S", "Type", "'Map' is not supported"),
                Arguments.of(machine("{\"Type\": \"Parallel\", \"End\": true}"), "S", "Type", "not supported"),
                Arguments.of(
                        machine("{\"Type\": \"Wait\", \"Seconds\": 1, \"End\": true}"), "S", "Type", "not supported"),
                Arguments.of(machine("{\"Type\": \"Dance\", \"End\": true}"), "S", "Type", "unknown state type"),
                Arguments.of(task("\"HeartbeatSeconds\": 10,"), "S", "HeartbeatSeconds", "not supported"),
                Arguments.of(task("\"TimeoutSecondsPath\": \"$.t\","), "S", "TimeoutSecondsPath", "not supported"),
                Arguments.of(task("\"Arguments\": {},"), "S", "Arguments", "not supported"),
                Arguments.of(task("\"Assign\": {\"x\": 1},"), "S", "Assign", "not supported"),
                Arguments.of(
                        machine(
                                "{\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::lambda:invoke\", \"End\": true}"),
                        "S",
                        "Resource",
                        "'arn:aws:states:::lambda:invoke' is not supported"),
                Arguments.of(
                        task("\"Parameters\": {\"p.$\": \"States.UUID()\"},"),
                        "S",
                        "Parameters.p.$",
                        "'States.UUID' is not supported"),
                Arguments.of(
                        task("\"Parameters\": {\"p.$\": \"$..deep\"},"), "S", "Parameters.p.$", "recursive descent"),
                Arguments.of(task("\"Parameters\": {\"p.$\": \"$.items[*]\"},"), "S", "Parameters.p.$", "[*]"),
                Arguments.of(
                        task("\"Parameters\": {\"p.$\": \"$.items[?(@.a)]\"},"),
                        "S",
                        "Parameters.p.$",
                        "not supported"),
                Arguments.of(
                        task("\"Parameters\": {\"p.$\": \"$$.Task.Token\"},"), "S", "Parameters.p.$", "task tokens"),
                Arguments.of(task("\"Parameters\": {\"p.$\": \"plain\"},"), "S", "Parameters.p.$", "neither a path"),
                Arguments.of(task("\"Parameters\": {\"p.$\": 3},"), "S", "Parameters.p.$", "must be a path"),
                Arguments.of(
                        task("\"Parameters\": {\"p.$\": \"States.Format('{} {}', $.a)\"},"),
                        "S",
                        "Parameters.p.$",
                        "2 {} but 1 values"),
                Arguments.of(
                        task("\"Parameters\": {\"p.$\": \"States.MathAdd(1)\"},"),
                        "S",
                        "Parameters.p.$",
                        "does not take 1 argument"),
                Arguments.of(task("\"Parameters\": {\"other\": 1},"), "S", "Parameters", "unsupported parameter"),
                Arguments.of(task("\"ResultPath\": \"$.list[0]\","), "S", "ResultPath", "array indexes"),
                Arguments.of(task("\"ResultPath\": \"$$.State\","), "S", "ResultPath", "context object"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"States.ALL\"]}, {\"ErrorEquals\": [\"E\"]}],"),
                        "S",
                        "Retry[0].ErrorEquals",
                        "States.ALL must appear alone"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"States.ALL\", \"E\"]}],"),
                        "S",
                        "Retry[0].ErrorEquals",
                        "alone"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"E\"], \"JitterStrategy\": \"HALF\"}],"),
                        "S",
                        "Retry[0].JitterStrategy",
                        "NONE or FULL"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"E\"], \"BackoffRate\": 0.5}],"),
                        "S",
                        "Retry[0].BackoffRate",
                        "at least 1.0"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"E\"], \"IntervalSeconds\": 0}],"),
                        "S",
                        "Retry[0].IntervalSeconds",
                        "between 1 and"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"E\"], \"MaxDelaySeconds\": 31622401}],"),
                        "S",
                        "Retry[0].MaxDelaySeconds",
                        "between 1 and 31622400"),
                Arguments.of(task("\"Retry\": [{\"ErrorEquals\": []}],"), "S", "Retry[0].ErrorEquals", "non-empty"),
                Arguments.of(
                        task("\"Retry\": [{\"ErrorEquals\": [\"E\"], \"Extra\": 1}],"),
                        "S",
                        "Retry[0].Extra",
                        "not supported"),
                Arguments.of(
                        task("\"Catch\": [{\"ErrorEquals\": [\"E\"], \"Next\": \"Nowhere\"}],"),
                        "S",
                        "Catch[0].Next",
                        "no state named 'Nowhere'"),
                Arguments.of(
                        task("\"Catch\": [{\"ErrorEquals\": [\"E\"], \"Next\": \"S\", \"Output\": {}}],"),
                        "S",
                        "Catch[0].Output",
                        "not supported"),
                Arguments.of(task("\"TimeoutSeconds\": 0,"), "S", "TimeoutSeconds", "between 1 and"),
                Arguments.of(
                        task("\"TimeoutSeconds\": \"${AttemptTimeoutSeconds}\","),
                        "S",
                        "TimeoutSeconds",
                        "must be an integer"),
                Arguments.of(machine("{\"Type\": \"Pass\"}"), "S", "End", "exactly one of"),
                Arguments.of(
                        machine("{\"Type\": \"Pass\", \"Next\": \"S\", \"End\": true}"), "S", "Next", "exactly one"),
                Arguments.of(
                        machine("{\"Type\": \"Choice\", \"Choices\": [{\"Variable\": \"$.a\", "
                                + "\"StringMatches\": \"x*\", \"Next\": \"S\"}], \"Default\": \"S\"}"),
                        "S",
                        "Choices[0].StringMatches",
                        "not supported"),
                Arguments.of(
                        machine("{\"Type\": \"Choice\", \"Choices\": [{\"Variable\": \"$.a\", "
                                + "\"NumericEquals\": \"1\", \"Next\": \"S\"}]}"),
                        "S",
                        "Choices[0].NumericEquals",
                        "wrong type"),
                Arguments.of(
                        machine("{\"Type\": \"Choice\", \"Choices\": [{\"Not\": {\"Variable\": \"$.a\", "
                                + "\"IsPresent\": true, \"Next\": \"S\"}, \"Next\": \"S\"}]}"),
                        "S",
                        "Choices[0].Not.Next",
                        "only allowed on top-level rules"),
                Arguments.of(
                        machine("{\"Type\": \"Fail\", \"ErrorPath\": \"$.e\"}"), "S", "ErrorPath", "not supported"));
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusesWithTheStateAndFieldNamed(String definition, String state, String field, String problem) {
        AslDefinitionException refusal =
                assertThrows(AslDefinitionException.class, () -> StateMachineDefinition.parse(definition, CATALOG));

        assertEquals(state, refusal.state(), refusal.getMessage());
        assertEquals(field, refusal.field(), refusal.getMessage());
        assertTrue(refusal.getMessage().contains(problem), refusal.getMessage());
        assertTrue(
                refusal.getMessage().startsWith("State '" + state + "', field '" + field + "': "),
                refusal.getMessage());
    }

    @Test
    void refusesTopLevelProblems() {
        assertTrue(assertThrows(
                        AslDefinitionException.class,
                        () -> StateMachineDefinition.parse(
                                "{\"StartAt\": \"S\", \"QueryLanguage\": \"JSONata\", \"States\": {\"S\": {\"Type\": \"Succeed\"}}}",
                                CATALOG))
                .getMessage()
                .contains("QueryLanguage 'JSONata' is not supported"));
        assertEquals(
                "StartAt",
                assertThrows(
                                AslDefinitionException.class,
                                () -> StateMachineDefinition.parse(
                                        "{\"StartAt\": \"X\", \"States\": {\"S\": {\"Type\": \"Succeed\"}}}", CATALOG))
                        .field());
        assertTrue(assertThrows(
                        AslDefinitionException.class,
                        () -> StateMachineDefinition.parse(
                                "{\"StartAt\": \"S\", \"States\": {\"S\": {\"Type\": \"Succeed\"}, \"Orphan\": {\"Type\": \"Succeed\"}}}",
                                CATALOG))
                .getMessage()
                .contains("State 'Orphan': the state is not reachable"));
        assertTrue(assertThrows(
                        AslDefinitionException.class,
                        () -> StateMachineDefinition.parse(
                                "{\"StartAt\": \"S\", \"TimeoutSeconds\": ${ExecutionTimeoutSeconds}, \"States\": {}}",
                                CATALOG))
                .getMessage()
                .contains("not valid JSON"));
        assertTrue(assertThrows(
                        AslDefinitionException.class,
                        () -> StateMachineDefinition.parse(
                                "{\"StartAt\": \"S\", \"Version\": \"2.0\", \"States\": {\"S\": {\"Type\": \"Succeed\"}}}",
                                CATALOG))
                .getMessage()
                .contains("Version"));
        assertTrue(assertThrows(
                        AslDefinitionException.class,
                        () -> StateMachineDefinition.parse(
                                "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}, "
                                        + "\"B\": {\"Type\": \"Pass\", \"Next\": \"A\"}}}",
                                CATALOG))
                .getMessage()
                .contains("no state ends the execution"));
    }
}
