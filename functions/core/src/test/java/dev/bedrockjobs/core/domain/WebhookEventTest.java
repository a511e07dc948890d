package dev.bedrockjobs.core.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.view.JobViews;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookEventTest {
    static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    static Job finished(String id, JobStatus status) {
        return Job.builder()
                .id(id)
                .tenantId("tenant-a")
                .request(r ->
                        r.tier("fast").modelId("m").prompt("p").maxTokens(64).webhookUrl("https://hooks.example.com/x"))
                .progress(pr -> pr.createdAt(T0)
                        .status(status)
                        .startedAt(T0.plusSeconds(1))
                        .finishedAt(T0.plusSeconds(5))
                        .attempts(1)
                        .result(
                                status == JobStatus.SUCCEEDED
                                        ? new Job.Result("Looks good — ship it.", "end_turn")
                                        : null))
                .build();
    }

    @Test
    void aJobsTerminalEventCarriesTheJobViewInTheContractEnvelope() {
        WebhookEvent e = JobViews.webhookEvent(finished("job_01KABCDEFGHJKMNPQRSTVWXYZ0", JobStatus.SUCCEEDED));
        assertEquals(WebhookEvent.Type.JOB_SUCCEEDED, e.type());
        assertEquals("tenant-a", e.tenantId());
        assertEquals("https://hooks.example.com/x", e.url());
        assertEquals(T0.plusSeconds(5), e.timestamp());
        JsonNode body = Json.parse(e.body());
        assertEquals(List.of("type", "timestamp", "data"), names(body.fieldNames()));
        assertEquals("job.succeeded", body.get("type").asText());
        assertEquals("2026-11-27T10:00:05Z", body.get("timestamp").asText());
        assertEquals("job_01KABCDEFGHJKMNPQRSTVWXYZ0", body.at("/data/id").asText());
        assertEquals("succeeded", body.at("/data/status").asText());
        assertEquals("Looks good — ship it.", body.at("/data/result/text").asText());
        assertTrue(body.at("/data/prompt").isMissingNode(), "the view never carries the prompt");
        assertArrayEquals(e.body().getBytes(StandardCharsets.UTF_8), e.bodyBytes());
        assertEquals(WebhookEvent.Subject.JOB, e.type().subject());
        assertEquals("job_01KABCDEFGHJKMNPQRSTVWXYZ0", e.subjectId());
    }

    @Test
    void theIdIsStablePerSubjectAndTypeAndLooksLikeAMessageId() {
        String job = "job_01KABCDEFGHJKMNPQRSTVWXYZ0";
        WebhookEvent a = JobViews.webhookEvent(finished(job, JobStatus.SUCCEEDED));
        WebhookEvent again = JobViews.webhookEvent(finished(job, JobStatus.SUCCEEDED));
        assertEquals(a.id(), again.id());
        assertTrue(a.id().matches("msg_[0-9A-HJKMNP-TV-Z]{26}"), a.id());
        assertNotEquals(
                a.id(), JobViews.webhookEvent(finished(job, JobStatus.FAILED)).id());
        assertNotEquals(
                a.id(),
                JobViews.webhookEvent(finished("job_01KABCDEFGHJKMNPQRSTVWXYZ1", JobStatus.SUCCEEDED))
                        .id());
        assertEquals(WebhookEvent.idFor(job, WebhookEvent.Type.JOB_SUCCEEDED), a.id());
    }

    @Test
    void theMessageRoundTripKeepsTheExactBodyBytes() {
        WebhookEvent e = JobViews.webhookEvent(finished("job_01KABCDEFGHJKMNPQRSTVWXYZ0", JobStatus.CANCELED));
        WebhookEvent back = WebhookEvent.fromMessage(e.toMessage());
        assertEquals(e, back);
        assertArrayEquals(e.bodyBytes(), back.bodyBytes());
        assertEquals(WebhookEvent.Type.JOB_CANCELED, back.type());
    }

    @Test
    void aMessageFromAnEarlierVersionWithAnAttemptOffsetIsStillAnEvent() {
        WebhookEvent e = JobViews.webhookEvent(finished("job_01KABCDEFGHJKMNPQRSTVWXYZ0", JobStatus.FAILED));
        ObjectNode old = (ObjectNode) Json.parse(e.toMessage());
        old.put("attemptOffset", 10);
        assertEquals(e, WebhookEvent.fromMessage(Json.write(old)));
    }

    @Test
    void aBatchEventIsAboutTheBatch() {
        var view = Json.object().put("id", "bat_01KABCDEFGHJKMNPQRSTVWXYZ0").put("status", "completed");
        WebhookEvent e =
                WebhookEvent.of(WebhookEvent.Type.BATCH_COMPLETED, "tenant-a", "https://h.example/b", T0, view);
        assertEquals(WebhookEvent.Subject.BATCH, e.type().subject());
        assertEquals("bat_01KABCDEFGHJKMNPQRSTVWXYZ0", e.subjectId());
        view.put("status", "mutated later");
        assertEquals("completed", e.data().get("status").asText(), "the event keeps its own copy");
        assertTrue(e.body().contains("\"completed\""));
    }

    @Test
    void onlyTerminalJobsWithAUrlHaveEvents() {
        assertThrows(
                IllegalArgumentException.class,
                () -> JobViews.webhookEvent(finished("job_01KABCDEFGHJKMNPQRSTVWXYZ0", JobStatus.RUNNING)));
        Job noUrl = finished("job_01KABCDEFGHJKMNPQRSTVWXYZ0", JobStatus.SUCCEEDED).toBuilder()
                .request(r -> r.webhookUrl(null))
                .build();
        assertThrows(IllegalArgumentException.class, () -> JobViews.webhookEvent(noUrl));
    }

    @Test
    void malformedMessagesAreRefused() {
        String good = JobViews.webhookEvent(finished("job_01KABCDEFGHJKMNPQRSTVWXYZ0", JobStatus.SUCCEEDED))
                .toMessage();
        for (String bad : List.of(
                "",
                "not json",
                "{}",
                good.replace("job.succeeded\",\"tenantId", "job.failed\",\"tenantId"),
                good.replace("\"id\":\"msg_", "\"id\":\"evt_"),
                "{\"id\":\"msg_1\",\"type\":\"job.succeeded\",\"tenantId\":\"t\",\"url\":\"https://x\","
                        + "\"body\":\"{\\\"type\\\":\\\"job.succeeded\\\",\\\"timestamp\\\":\\\"x\\\","
                        + "\\\"data\\\":{\\\"id\\\":\\\"j\\\"}}\"}")) {
            assertThrows(IllegalArgumentException.class, () -> WebhookEvent.fromMessage(bad), bad);
        }
    }

    private static <T> List<T> names(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
