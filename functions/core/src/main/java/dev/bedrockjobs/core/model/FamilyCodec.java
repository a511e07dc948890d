package dev.bedrockjobs.core.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import java.util.HashMap;
import java.util.Map;

/** What every family's codec has: the family it speaks for, and that family's stop reasons in our terms. */
abstract class FamilyCodec implements ModelCodec {
    private final ModelFamily family;
    private final Map<String, StopReason> stopReasons;

    /** @param stopReasons the family's raw stop reasons; any other (or none) reads as {@link StopReason#OTHER} */
    FamilyCodec(ModelFamily family, Map<String, StopReason> stopReasons) {
        this.family = family;
        this.stopReasons = stopReasons;
    }

    @Override
    public final ModelFamily family() {
        return family;
    }

    final StopReason stopReason(String raw) {
        return raw == null ? StopReason.OTHER : stopReasons.getOrDefault(raw, StopReason.OTHER);
    }

    /** The body of the families that take one prompt string: the prompt, the token limit under the family's name. */
    static ObjectNode promptBody(String prompt, String maxTokensField, ModelRequest request) {
        ObjectNode body = Json.object();
        body.put("prompt", prompt);
        body.put(maxTokensField, request.maxTokens());
        request.putTemperature(body);
        return body;
    }

    /** The stop reasons the message-based families (Claude, Nova) share, and a family's own. */
    static Map<String, StopReason> messagesStopReasons(Map<String, StopReason> familyOwn) {
        Map<String, StopReason> all = new HashMap<>(familyOwn);
        all.put("end_turn", StopReason.END_TURN);
        all.put("max_tokens", StopReason.MAX_TOKENS);
        all.put("stop_sequence", StopReason.STOP_SEQUENCE);
        return Map.copyOf(all);
    }

    /** The message-based families' one user turn: {@code messages: [{role: user, content: [...]}]}, to fill. */
    static ArrayNode userContent(ObjectNode body) {
        return body.putArray("messages").addObject().put("role", "user").putArray("content");
    }
}
