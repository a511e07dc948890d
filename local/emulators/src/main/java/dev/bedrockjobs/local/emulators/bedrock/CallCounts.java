package dev.bedrockjobs.local.emulators.bedrock;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many InvokeModel calls the simulator received, per model and prompt, for test assertions such as "the
 * validation error was not retried". A prompt is the text the simulator extracted from the body: for Anthropic and
 * Nova every message text joined, for Llama and Mistral the templated prompt string.
 */
public final class CallCounts {

    private record Key(String modelId, String prompt) {}

    private final Map<Key, AtomicInteger> byModelAndPrompt = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    /** Counts one request whatever its body, and returns nothing: it may not even name a model. */
    void recordRequest() {
        requests.incrementAndGet();
    }

    /** Counts a call with a valid body and returns its number for this model and prompt, 1 for the first. */
    int recordCall(String modelId, String prompt) {
        return byModelAndPrompt
                .computeIfAbsent(new Key(modelId, prompt), k -> new AtomicInteger())
                .incrementAndGet();
    }

    /** Every InvokeModel request received, including those refused for a malformed body or unknown model. */
    public int requests() {
        return requests.get();
    }

    /** Calls with a valid body for exactly this model id and prompt. */
    public int calls(String modelId, String prompt) {
        AtomicInteger count = byModelAndPrompt.get(new Key(modelId, prompt));
        return count == null ? 0 : count.get();
    }

    /** Calls with a valid body whose prompt contains {@code fragment}, for any model. */
    public int callsContaining(String fragment) {
        return byModelAndPrompt.entrySet().stream()
                .filter(e -> e.getKey().prompt().contains(fragment))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    /** Calls with a valid body for this model id, any prompt. */
    public int callsForModel(String modelId) {
        return byModelAndPrompt.entrySet().stream()
                .filter(e -> e.getKey().modelId().equals(modelId))
                .mapToInt(e -> e.getValue().get())
                .sum();
    }

    /** Forgets every count, which also restarts the {@code [[throttle:N]]} and {@code [[hang]]} scripts. */
    public void reset() {
        byModelAndPrompt.clear();
        requests.set(0);
    }
}
