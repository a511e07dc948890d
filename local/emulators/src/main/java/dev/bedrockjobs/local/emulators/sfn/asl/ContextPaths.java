package dev.bedrockjobs.local.emulators.sfn.asl;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The context object fields the engine fills in, checked at load time so a {@code $$} path the engine would leave
 * empty (such as {@code $$.Task.Token}, only set for callback integrations) is refused instead of failing later.
 */
final class ContextPaths {

    private static final Map<String, Set<String>> FIELDS = Map.of(
            "Execution", Set.of("Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount"),
            "State", Set.of("EnteredTime", "Name", "RetryCount"),
            "StateMachine", Set.of("Id", "Name"));

    private ContextPaths() {}

    static void check(JsonPath path, String state, String field) {
        if (!path.isContext()) {
            return;
        }
        List<String> fields = path.leadingFields();
        if (fields.isEmpty()) {
            return;
        }
        Set<String> children = FIELDS.get(fields.get(0));
        if (children == null) {
            throw AslDefinitionException.unsupported(
                    state,
                    field,
                    "the context object path '" + path.text() + "'"
                            + ("Task".equals(fields.get(0)) ? " (callback task tokens)" : ""));
        }
        if (fields.size() > 1 && !children.contains(fields.get(1))) {
            throw AslDefinitionException.unsupported(state, field, "the context object path '" + path.text() + "'");
        }
        boolean descendsIntoInput = fields.size() > 1 && fields.get(1).equals("Input");
        if (path.steps().size() > 2 && !descendsIntoInput) {
            throw new AslDefinitionException(
                    state, field, "'" + path.text() + "' selects below a scalar context field");
        }
    }
}
