package dev.bedrockjobs.local.emulators.sfn.asl;

/**
 * A state machine definition refused at load time: either invalid Amazon States Language, or valid but using a
 * construct the local engine does not implement. The message names the state and the field, so the author can fix
 * the definition (or the engine) instead of discovering a silent divergence at run time.
 */
public final class AslDefinitionException extends RuntimeException {

    private final String state;
    private final String field;

    /**
     * @param state  the state's name, or null for a top-level field
     * @param field  the field path inside the state (e.g. {@code Retry[0].JitterStrategy}), or null
     */
    public AslDefinitionException(String state, String field, String problem) {
        super(location(state, field) + problem);
        this.state = state;
        this.field = field;
    }

    private static String location(String state, String field) {
        StringBuilder location = new StringBuilder();
        if (state != null) {
            location.append("State '").append(state).append("'");
        }
        if (field != null) {
            location.append(location.length() > 0 ? ", field '" : "Field '")
                    .append(field)
                    .append("'");
        }
        return location.length() > 0 ? location.append(": ").toString() : "";
    }

    /** The state at fault, or null for a top-level problem. */
    public String state() {
        return state;
    }

    /** The field at fault, or null. */
    public String field() {
        return field;
    }

    static AslDefinitionException unsupported(String state, String field, String what) {
        return new AslDefinitionException(state, field, what + " is not supported by the local Step Functions engine");
    }
}
