package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.local.emulators.Json;

/** Minimal valid InvokeModel bodies per provider family, as the worker's codecs build them. */
public final class ModelBodies {

    private ModelBodies() {}

    public static ObjectNode claude(String prompt, int maxTokens) {
        ObjectNode body =
                Json.object().put("anthropic_version", "bedrock-2023-05-31").put("max_tokens", maxTokens);
        body.putArray("messages")
                .addObject()
                .put("role", "user")
                .putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", prompt);
        return body;
    }

    public static ObjectNode llama(String prompt, int maxGenLen) {
        return Json.object()
                .put(
                        "prompt",
                        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" + prompt
                                + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>")
                .put("max_gen_len", maxGenLen);
    }

    public static ObjectNode nova(String prompt, int maxTokens) {
        ObjectNode body = Json.object().put("schemaVersion", "messages-v1");
        body.putArray("messages")
                .addObject()
                .put("role", "user")
                .putArray("content")
                .addObject()
                .put("text", prompt);
        body.putObject("inferenceConfig").put("maxTokens", maxTokens);
        return body;
    }

    public static ObjectNode mistral(String prompt, int maxTokens) {
        return Json.object().put("prompt", "<s>[INST] " + prompt + " [/INST]").put("max_tokens", maxTokens);
    }
}
