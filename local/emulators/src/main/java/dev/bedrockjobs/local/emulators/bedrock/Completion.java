package dev.bedrockjobs.local.emulators.bedrock;

/**
 * A generated answer.
 *
 * @param text          the answer, cut at the token budget when {@code truncated}
 * @param outputTokens  its size in tokens
 * @param truncated     whether the budget stopped it (stop reason {@code max_tokens} / {@code length})
 */
record Completion(String text, int outputTokens, boolean truncated) {}
