package dev.bedrockjobs.local.emulators.bedrock;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One chunk body of an InvokeModelWithResponseStream answer, as the model family shapes it.
 *
 * @param body       the JSON the SDK hands the caller, base64-encoded in the event's {@code bytes}
 * @param newTokens  the tokens of answer text it carries, which set its place in a paced stream; 0 for the chunks
 *                   that only open or close the message
 */
record StreamChunk(ObjectNode body, int newTokens) {}
