package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Job;
import dev.bedrockjobs.core.domain.JobStatus;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.port.JobOutput;
import dev.bedrockjobs.core.port.JobStore;
import java.time.Duration;
import java.util.Optional;

/**
 * GET /v1/jobs/{id}/output: a job's answer from an offset, as far as it is written, scoped to the caller's tenant.
 * While the job runs the text comes from the pieces its model call has stored; once the job has its result, from the
 * result, which is the same text whole. Offsets count Unicode code points; a client reads on from the
 * {@code nextOffset} it was given until {@code done}.
 */
public final class OutputService {
    /** At most this many code points per answer (about 64 KB of UTF-8 at most): a long answer takes a few reads. */
    static final int PAGE_CODE_POINTS = 16_384;

    /**
     * While a job streams, new text is looked for after 100 ms, then at most every 250 ms, the pace at which its
     * pieces are written: a follower sees each piece within about a quarter second.
     */
    private static final LongPolls.Pace WHILE_STREAMING =
            new LongPolls.Pace(Duration.ofMillis(100), Duration.ofMillis(250));

    /** Otherwise after 100 ms, then twice as long each time up to 1 s: a job still queued costs a read a second. */
    private static final LongPolls.Pace UNTIL_TEXT = new LongPolls.Pace(Duration.ofMillis(100), Duration.ofSeconds(1));

    private final JobStore store;
    private final JobOutput output;
    private final LongPolls longPolls;

    public OutputService(JobStore store, JobOutput output, LongPolls longPolls) {
        this.store = store;
        this.output = output;
        this.longPolls = longPolls;
    }

    /** What one read found: the job as it was, and its text from the offset; whether no text follows it, ever. */
    record Read(Job job, JobOutput.Slice slice, boolean done) {}

    /**
     * {@code ?offset=N} (default 0) and {@code ?wait=S} (0 to 20): held until there is text past the offset or the job
     * has ended.
     */
    public ApiResponse get(ApiRequest request) {
        String id = request.pathParameter("id");
        long offset = QueryParameters.integer(request, "offset", 0, 0, Integer.MAX_VALUE);
        int waitSeconds = QueryParameters.integer(request, "wait", 0, 0, LongPolls.MAX_WAIT_SECONDS);
        Optional<Read> read = await(request, id, offset, waitSeconds);
        if (read.isEmpty()) {
            return Problem.notFound("job " + id).toResponse();
        }
        Read r = read.get();
        ObjectNode body = Json.object();
        body.put("jobId", id);
        body.put("status", r.job().progress().status().wire());
        body.put("offset", offset);
        body.put("text", r.slice().text());
        body.put("nextOffset", r.slice().nextOffset());
        body.put("done", r.done());
        ApiResponse response = ApiResponse.json(200, body);
        return r.done() ? response : response.withHeader("retry-after", "1");
    }

    /**
     * The caller's job's text from the offset, held up to {@code waitSeconds} until there is some or the job has
     * ended; empty when the job is not the caller's (or no longer exists). An offset past the end of a finished answer
     * is a {@link ValidationException} on {@code offset}.
     */
    Optional<Read> await(ApiRequest request, String id, long offset, int waitSeconds) {
        Optional<Job> job = Owned.job(store, request, id);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        return longPolls.hold(
                request.tenantId(),
                waitSeconds,
                Optional.of(read(job.get(), offset)),
                r -> r.isEmpty() || r.get().done() || !r.get().slice().text().isEmpty(),
                () -> store.getOwned(request.tenantId(), id).map(j -> read(j, offset)),
                r -> r.map(Read::job).filter(OutputService::streaming).isPresent() ? WHILE_STREAMING : UNTIL_TEXT);
    }

    private static boolean streaming(Job job) {
        return job.request().stream() && job.progress().status() == JobStatus.RUNNING;
    }

    private Read read(Job job, long offset) {
        boolean ended = job.progress().status().isTerminal();
        Job.Result result = job.progress().result();
        if (ended && result != null) {
            String text = result.text() == null ? "" : result.text();
            long length = text.codePointCount(0, text.length());
            if (offset > length) {
                throw ValidationException.of(
                        "offset", "is past the end of the answer, which is " + length + " code points long");
            }
            long take = Math.min(PAGE_CODE_POINTS, length - offset);
            int from = text.offsetByCodePoints(0, (int) offset);
            int to = text.offsetByCodePoints(from, (int) take);
            return new Read(job, new JobOutput.Slice(text.substring(from, to), offset + take), offset + take == length);
        }
        JobOutput.Slice slice = output.readFrom(job.id(), offset, PAGE_CODE_POINTS);
        // a read stops short of its page only for want of pieces: once the job has ended, none will come
        return new Read(job, slice, ended && slice.nextOffset() - offset < PAGE_CODE_POINTS);
    }
}
