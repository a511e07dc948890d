package dev.bedrockjobs.local.emulators.bedrock;

/**
 * What the simulator needs from a validated InvokeModel body, whatever its provider family.
 *
 * @param prompt       every text the caller sent, joined: the key of the call counters and fault markers, and
 *                     the seed of the answer
 * @param maxTokens    the output budget (the family's default when the body leaves it out)
 * @param inputTokens  the estimated prompt size in tokens, template overhead included
 */
record ModelRequest(String prompt, int maxTokens, int inputTokens) {}
