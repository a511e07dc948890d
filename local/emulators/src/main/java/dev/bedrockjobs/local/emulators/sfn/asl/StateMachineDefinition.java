package dev.bedrockjobs.local.emulators.sfn.asl;

import java.util.Map;

/**
 * A parsed, checked state machine definition.
 *
 * @param timeoutSeconds the top-level {@code TimeoutSeconds}, or null when absent
 * @param states         by name, in definition order
 */
public record StateMachineDefinition(
        String comment, String startAt, Integer timeoutSeconds, Map<String, State> states) {

    public StateMachineDefinition {
        states = Map.copyOf(states);
    }

    /**
     * Parses Amazon States Language (JSONPath flavour) and refuses what the engine does not implement.
     *
     * @throws AslDefinitionException naming the state and field at fault
     */
    public static StateMachineDefinition parse(String json, ResourceCatalog resources) {
        return new DefinitionParser(resources).parse(json);
    }

    public State state(String name) {
        State state = states.get(name);
        if (state == null) {
            throw new IllegalArgumentException("no state named " + name);
        }
        return state;
    }
}
