import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.util.Map;

/** The baseline: a handler that does nothing but greet, built and invoked by the same harness as the functions. */
public final class HelloHandler implements RequestHandler<Map<String, Object>, String> {
    @Override
    public String handleRequest(Map<String, Object> event, Context context) {
        return "hello " + event.get("name");
    }
}
