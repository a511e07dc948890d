package dev.bedrockjobs.core.port;

import dev.bedrockjobs.core.domain.OutputChunk;

/** A job's answer as it is streamed: pieces appended in order by the model call, read from any offset by clients. */
public interface JobOutput {

    /**
     * Stores the piece after those before it. Writing the same piece again for the same writer (a retried request
     * whose first try was applied) changes nothing.
     *
     * @throws OutputTaken when another writer's piece stands at that offset: the caller is no longer the job's
     *                     model call and must stop
     */
    void append(String jobId, OutputChunk chunk);

    /**
     * The stored text from {@code offset} on, at most about {@code maxCodePoints} of it (whole pieces, the first
     * one cut at the offset; always at least one piece when there is one).
     */
    Slice readFrom(String jobId, long offset, int maxCodePoints);

    /**
     * @param text       the text read, empty when nothing is stored past the offset yet
     * @param nextOffset where to read on from: the offset plus the text's length in code points
     */
    record Slice(String text, long nextOffset) {}

    /** Another model call's piece stands where this one would go. */
    final class OutputTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public OutputTaken(String jobId, long offset) {
            super("job " + jobId + ": the output at " + offset + " was written by another model call");
        }
    }
}
