package dev.bedrockjobs.stream;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.model.ReplyJson;
import dev.bedrockjobs.core.work.StreamedModelCall;
import dev.bedrockjobs.lambda.PrimedHandler;
import java.util.Locale;
import java.util.Map;

/**
 * The job state machine's streaming task: {@code {jobId, modelId, body, writer}} -> one streamed model call, its
 * answer stored piece by piece -> {@code {reply, ending, error, pieces}}. A failure before any piece is stored is
 * thrown, for the state machine's Retry and Catch (see {@link dev.bedrockjobs.core.work.ModelCallError}).
 */
public class StreamHandler extends PrimedHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private final StreamedModelCall call;

    public StreamHandler() {
        this(System.getenv());
    }

    public StreamHandler(Map<String, String> env) {
        this(StreamRoot.call(env));
    }

    StreamHandler(StreamedModelCall call) {
        this.call = call;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        JsonNode in = Json.MAPPER.valueToTree(input);
        if (!in.path("body").isObject()) {
            throw new IllegalArgumentException("the task's input has no model request body");
        }
        StreamedModelCall.Result r = call.run(
                in.path("jobId").asText(),
                in.path("modelId").asText(),
                (ObjectNode) in.get("body"),
                in.path("writer").asText());
        ObjectNode out = Json.object();
        out.set("reply", ReplyJson.write(r.reply()));
        out.put("ending", r.ending().name().toLowerCase(Locale.ROOT));
        out.put("error", r.error());
        out.put("pieces", r.pieces());
        return Json.MAPPER.convertValue(out, new TypeReference<Map<String, Object>>() {});
    }
}
