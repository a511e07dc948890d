package dev.bedrockjobs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.ValidationException;
import dev.bedrockjobs.core.view.JobViews;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * GET /v1/jobs/{id}/events: a job's answer as server-sent events, read as {@link OutputService} reads it. Each
 * {@code delta} event carries the text after an offset and has the offset after it as its id, so a client that
 * reconnects with {@code Last-Event-ID} resumes exactly where it stopped; the last event, {@code done}, carries the
 * job's status, usage, cost and error, and has the id {@value #DONE_ID}, with which a reconnect is answered 204 (No
 * Content), which tells an {@code EventSource} to stop.
 *
 * <p>Two transports serve the same events. A transport that can stream ({@link #stream}) keeps the response open
 * until the job is done, a comment every {@link #KEEP_ALIVE} keeping idle proxies from closing it. API Gateway's HTTP
 * API returns a response only once it is complete, so through it ({@link #get}) a response carries what one long poll
 * finds and ends; the client reconnects with the last id at once (the {@code retry} field), as every server-sent
 * events client does after a response ends. Both send the same text in the same order; only how it is grouped into
 * responses differs.
 */
public final class EventsService {
    /** The id of the {@code done} event: a reconnect after it has nothing left to read. */
    static final String DONE_ID = "done";
    /** An idle stream's comment: well under the 60 s idle timeouts common to proxies and load balancers. */
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** A stream ends after this long and the client resumes: the most a Lambda function URL holds a response. */
    static final Duration MAX_OPEN = Duration.ofMinutes(15);
    /** A held read that came back empty sooner than this (the tenant's long-poll bound was reached) waits the rest. */
    private static final Duration LEAST_BETWEEN_READS = Duration.ofSeconds(1);

    private static final Map<String, String> HEADERS =
            Map.of("content-type", "text/event-stream; charset=utf-8", "cache-control", "no-cache");
    /** Through API Gateway a response ends after each read: come back at once. */
    private static final String RECONNECT_AT_ONCE = "retry: 100\n\n";
    /** A stream that breaks (a network fault), or a response that found nothing: try again after a second. */
    private static final String RECONNECT_AFTER_A_BREAK = "retry: 1000\n\n";

    private final OutputService output;
    private final LongPolls longPolls;

    public EventsService(OutputService output, LongPolls longPolls) {
        this.output = output;
        this.longPolls = longPolls;
    }

    /** Where a request resumes: after the offset {@code Last-Event-ID} (or {@code ?offset=N}) names, or nowhere. */
    private record Resume(String jobId, long offset, boolean afterDone) {}

    /** Through API Gateway: the events one long poll (up to 20 s) finds, then the response ends. */
    public ApiResponse get(ApiRequest request) {
        Resume resume = resume(request);
        Optional<ApiResponse> refused = refusal(request, resume);
        if (refused.isPresent()) {
            return refused.get();
        }
        StringBuilder events = new StringBuilder();
        try {
            follow(request, resume, events::append, false);
        } catch (IOException e) {
            throw new UncheckedIOException("appending to a string cannot fail", e);
        }
        // a response without text was held its whole long poll, or not at all (the tenant holds its bound of polls
        // open): either way the next one can wait a second
        String retry = events.length() == 0 ? RECONNECT_AFTER_A_BREAK : RECONNECT_AT_ONCE;
        return new ApiResponse(200, HEADERS, retry + events);
    }

    /**
     * Over a transport that streams: the events as the text is written, until {@code done} or {@link #MAX_OPEN}; a
     * refusal (or the 204 after {@code done}) is sent whole instead.
     */
    public void stream(ApiRequest request, ResponseStream out) throws IOException {
        Resume resume = resume(request);
        Optional<ApiResponse> refused = refusal(request, resume);
        if (refused.isPresent()) {
            out.send(refused.get());
            return;
        }
        out.start(200, HEADERS);
        out.write(RECONNECT_AFTER_A_BREAK);
        follow(request, resume, out::write, true);
    }

    private static Resume resume(ApiRequest request) {
        String id = request.pathParameter("id");
        String lastEventId = request.header("last-event-id");
        if (lastEventId == null) {
            return new Resume(id, QueryParameters.integer(request, "offset", 0, 0, Integer.MAX_VALUE), false);
        }
        // EventSource reconnects to the same URL, ?offset included: the id it sends is the later position
        String last = lastEventId.strip();
        if (last.equals(DONE_ID)) {
            return new Resume(id, 0, true);
        }
        if (!last.matches("[0-9]{1,10}") || Long.parseLong(last) > Integer.MAX_VALUE) {
            throw ValidationException.of(
                    "Last-Event-ID", "must be the id of an event of this stream: an offset, or \"done\"");
        }
        return new Resume(id, Long.parseLong(last), false);
    }

    /** A job that is not the caller's is not found; a stream resumed after its {@code done} has nothing to send. */
    private Optional<ApiResponse> refusal(ApiRequest request, Resume resume) {
        Optional<OutputService.Read> first = output.await(request, resume.jobId(), resume.offset(), 0);
        if (first.isEmpty()) {
            return Optional.of(Problem.notFound("job " + resume.jobId()).toResponse());
        }
        if (resume.afterDone()) {
            return Optional.of(new ApiResponse(204, Map.of("cache-control", "no-cache"), ""));
        }
        return Optional.empty();
    }

    /** Where events go; it fails only when the client has gone. */
    private interface Sink {
        void send(String event) throws IOException;
    }

    private void follow(ApiRequest request, Resume resume, Sink sink, boolean untilDone) throws IOException {
        long offset = resume.offset();
        Instant closeAt = longPolls.now().plus(MAX_OPEN);
        int waitSeconds = untilDone ? (int) KEEP_ALIVE.toSeconds() : LongPolls.MAX_WAIT_SECONDS;
        while (true) {
            Instant readAt = longPolls.now();
            Optional<OutputService.Read> found = output.await(request, resume.jobId(), offset, waitSeconds);
            if (found.isEmpty()) {
                return; // the job has expired meanwhile: a reconnect will be told 404
            }
            OutputService.Read read = found.get();
            if (!read.slice().text().isEmpty()) {
                sink.send(delta(offset, read.slice().text(), read.slice().nextOffset()));
                offset = read.slice().nextOffset();
            }
            if (read.done()) {
                sink.send(event(DONE_ID, "done", JobViews.outcome(read.job())));
                return;
            }
            if (!untilDone || !longPolls.now().isBefore(closeAt)) {
                return;
            }
            if (read.slice().text().isEmpty()) {
                sink.send(": keep-alive\n\n");
                waitOut(readAt.plus(LEAST_BETWEEN_READS));
            }
        }
    }

    private void waitOut(Instant until) throws IOException {
        Duration left = Duration.between(longPolls.now(), until);
        if (left.isNegative() || left.isZero()) {
            return;
        }
        try {
            longPolls.pause(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while streaming", e);
        }
    }

    private static String delta(long offset, String text, long nextOffset) {
        ObjectNode data = Json.object();
        data.put("offset", offset);
        data.put("text", text);
        return event(Long.toString(nextOffset), "delta", data);
    }

    /** One event; its data is one line of JSON (which escapes every line break), so it needs one data field. */
    private static String event(String id, String type, ObjectNode data) {
        return "id: " + id + "\nevent: " + type + "\ndata: " + Json.write(data) + "\n\n";
    }
}
