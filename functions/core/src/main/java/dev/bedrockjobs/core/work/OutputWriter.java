package dev.bedrockjobs.core.work;

import dev.bedrockjobs.core.domain.OutputChunk;
import dev.bedrockjobs.core.port.JobOutput;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stores one model call's streamed answer as it arrives, in pieces a reader can follow: the first text at once (a
 * client watching should see it as soon as the model sends it), then whatever has come once 1 KB has gathered or
 * 250 ms have passed since the last piece. So a streamed answer costs at most one write per KB of text plus four per
 * second of generation, plus one, whatever the model's pace; and a piece never exceeds
 * {@link OutputChunk#MAX_CODE_POINTS}.
 *
 * <p>Not thread-safe: one model call, one writer, deltas in the order the model sent them.
 */
public final class OutputWriter {
    static final Duration FLUSH_AFTER = Duration.ofMillis(250);
    static final int FLUSH_BYTES = 1_024;

    private final JobOutput output;
    private final Clock clock;
    private final String jobId;
    private final String writer;
    private final StringBuilder pending = new StringBuilder();
    private int pendingBytes;
    private long stored;
    private Instant lastStored;
    private int pieces;

    /** @param writer the model call's fencing token: its pieces carry it, and another call's are never overwritten */
    public OutputWriter(JobOutput output, Clock clock, String jobId, String writer) {
        this.output = output;
        this.clock = clock;
        this.jobId = jobId;
        this.writer = writer;
    }

    /**
     * Adds the model's next text, and stores what has gathered when it is due.
     *
     * @throws JobOutput.OutputTaken when another model call has stored the job's output: this one must stop
     */
    public void append(String delta) {
        if (delta == null || delta.isEmpty()) {
            return;
        }
        pending.append(delta);
        pendingBytes += delta.getBytes(StandardCharsets.UTF_8).length;
        Instant now = clock.instant();
        if (lastStored == null
                || pendingBytes >= FLUSH_BYTES
                || Duration.between(lastStored, now).compareTo(FLUSH_AFTER) >= 0) {
            store(now);
        }
    }

    /** Stores whatever is still gathered: at the end of the answer, or before giving up on it. */
    public void flush() {
        if (pending.length() > 0) {
            store(clock.instant());
        }
    }

    /** Code points stored so far: where the next piece starts. */
    public long stored() {
        return stored;
    }

    /** Whether any text has been stored: after that, the call may no longer be retried from the start. */
    public boolean hasStored() {
        return stored > 0;
    }

    /** Pieces written so far. */
    public int pieces() {
        return pieces;
    }

    private void store(Instant now) {
        String text = pending.toString();
        int from = 0;
        while (from < text.length()) {
            int codePoints = text.codePointCount(from, text.length());
            int to = codePoints <= OutputChunk.MAX_CODE_POINTS
                    ? text.length()
                    : text.offsetByCodePoints(from, OutputChunk.MAX_CODE_POINTS);
            OutputChunk piece = new OutputChunk(stored, text.substring(from, to), writer);
            output.append(jobId, piece);
            stored = piece.end();
            pieces++;
            from = to;
        }
        pending.setLength(0);
        pendingBytes = 0;
        lastStored = now;
    }
}
