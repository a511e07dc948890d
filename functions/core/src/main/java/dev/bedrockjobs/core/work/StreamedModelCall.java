package dev.bedrockjobs.core.work;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.model.ModelCodecs;
import dev.bedrockjobs.core.model.ModelReply;
import dev.bedrockjobs.core.model.ModelRequest;
import dev.bedrockjobs.core.model.StreamDecoder;
import dev.bedrockjobs.core.port.JobOutput;
import dev.bedrockjobs.core.port.JobStore;
import dev.bedrockjobs.core.port.ModelStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One attempt of a streamed job's model call, as the state machine's streaming task runs it: the answer is stored
 * piece by piece as it arrives ({@link OutputWriter}) and returned whole at the end, for the worker to finish the
 * job with exactly as it would a non-streamed answer.
 *
 * <p>How a failure ends the attempt decides whether the state machine may try again. Until a piece is stored a
 * failure is thrown as a {@link ModelCallError}, classed as the state machine's retriers class Bedrock's errors.
 * Once a piece is stored the attempt is not thrown but returned, {@link Ending#INTERRUPTED}: no retry may write over
 * what a reader may already have been shown, and the job ends failed with that part kept. A cancel asked for while
 * the answer streams stops it within about a second; the attempt returns what came, and the worker ends the job
 * canceled.
 */
public final class StreamedModelCall {
    /** How often a streaming answer looks for a cancel: each look is one read of the job. */
    static final Duration CANCEL_CHECK_EVERY = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(StreamedModelCall.class.getName());
    private static final Set<String> THROTTLED = Set.of("ThrottlingException", "ModelNotReadyException");
    private static final Set<String> UNAVAILABLE = Set.of("ServiceUnavailableException", "InternalServerException");
    private static final Set<String> MODEL_FAILED =
            Set.of("ModelTimeoutException", "ModelErrorException", "ModelStreamErrorException");

    /** How the attempt ended once it had begun to answer. */
    public enum Ending {
        /** the whole answer came */
        COMPLETED,
        /** a cancel was asked for; what came before it is kept */
        CANCELED,
        /** the stream broke off after some of the answer was stored; that part is kept */
        INTERRUPTED
    }

    /**
     * @param reply  the whole answer, or what came of it before the attempt ended
     * @param pieces how many pieces were stored
     * @param error  for an interrupted stream, the service's error and message; null otherwise
     */
    public record Result(ModelReply reply, int pieces, Ending ending, String error) {}

    private final JobStore store;
    private final JobOutput output;
    private final ModelStream model;
    private final Clock clock;

    public StreamedModelCall(JobStore store, JobOutput output, ModelStream model, Clock clock) {
        this.store = store;
        this.output = output;
        this.model = model;
        this.clock = clock;
    }

    /** Stops the stream from inside its chunk handler. */
    private static final class CancelAsked extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CancelAsked() {
            super(null, null, false, false);
        }
    }

    /**
     * @param writer the fencing token of the worker's claim: the job must still be running under it, and every piece
     *               carries it
     * @throws ModelCallError how the attempt failed before any of its answer was stored
     */
    public Result run(String jobId, String modelId, ObjectNode body, String writer) {
        Job job = store.get(jobId)
                .filter(j -> j.progress().status() == JobStatus.RUNNING
                        && writer.equals(j.progress().fencingToken()))
                .orElseThrow(() -> new ModelRefused(
                        "StaleModelCall", "job " + jobId + " is not running under this call's claim", null));
        ModelRequest request = new ModelRequest(
                job.request().prompt(),
                job.request().system(),
                job.request().maxTokens(),
                job.request().temperature());
        StreamDecoder decoder = ModelCodecs.forModel(modelId).streamDecoder();
        OutputWriter writes = new OutputWriter(output, clock, jobId, writer);
        Instant[] lastCancelCheck = {clock.instant()};
        try {
            model.call(modelId, body, chunk -> {
                writes.append(decoder.accept(chunk));
                Instant now = clock.instant();
                if (Duration.between(lastCancelCheck[0], now).compareTo(CANCEL_CHECK_EVERY) >= 0) {
                    lastCancelCheck[0] = now;
                    if (cancelAsked(jobId)) {
                        throw new CancelAsked();
                    }
                }
            });
            writes.flush();
            return new Result(decoder.reply(request), writes.pieces(), Ending.COMPLETED, null);
        } catch (CancelAsked stop) {
            writes.flush();
            return new Result(decoder.reply(request), writes.pieces(), Ending.CANCELED, null);
        } catch (RuntimeException e) {
            String error = e instanceof ModelStream.Refused refused
                    ? refused.error()
                    : e.getClass().getSimpleName();
            String message = e.getMessage() == null ? error : e.getMessage();
            if (!writes.hasStored() && !(e instanceof JobOutput.OutputTaken)) {
                throw classify(e, error, message);
            }
            try {
                writes.flush(); // what had gathered belongs to the partial answer a reader is shown
            } catch (RuntimeException notStored) {
                e.addSuppressed(notStored);
            }
            LOG.log(Level.WARNING, "job " + jobId + ": the stream broke off after its answer began", e);
            return new Result(decoder.reply(request), writes.pieces(), Ending.INTERRUPTED, error + ": " + message);
        }
    }

    private boolean cancelAsked(String jobId) {
        return store.get(jobId).map(j -> j.progress().cancelRequested()).orElse(true);
    }

    private static ModelCallError classify(RuntimeException e, String error, String message) {
        if (!(e instanceof ModelStream.Refused)) {
            return new ModelUnavailable(error, message, e); // the call did not get through: as transient as a 503
        }
        if (THROTTLED.contains(error)) {
            return new ModelThrottled(error, message, e);
        }
        if (UNAVAILABLE.contains(error)) {
            return new ModelUnavailable(error, message, e);
        }
        return MODEL_FAILED.contains(error) ? new ModelFailed(error, message, e) : new ModelRefused(error, message, e);
    }
}
