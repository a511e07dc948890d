package dev.bedrockjobs.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.LogContext;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("dev.bedrockjobs.core.work.WorkerService");
        r.setMillis(1_795_774_530_000L);
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aLineCarriesTheCorrelationIdsInEffectAndNothingAfterwards() {
        String inside = LogContext.with(
                Map.of(LogContext.REQUEST_ID, "req-1", LogContext.TENANT_ID, "tenant-a"),
                () -> LogContext.with(
                        Map.of(LogContext.JOB_ID, "job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4"),
                        () -> formatter.format(record(Level.WARNING, "job failed", null))));
        JsonNode line = Json.parse(inside.strip());
        assertEquals("WARNING", line.path("level").asText());
        assertEquals("job failed", line.path("message").asText());
        assertEquals("req-1", line.path("requestId").asText());
        assertEquals("tenant-a", line.path("tenantId").asText());
        assertEquals("job_01KB2M7Q9ZT3W6X8Y0A1B2C3D4", line.path("jobId").asText());
        assertEquals("2026-11-27T10:15:30Z", line.path("timestamp").asText());

        JsonNode after =
                Json.parse(formatter.format(record(Level.INFO, "idle", null)).strip());
        assertFalse(after.has("jobId"));
        assertFalse(after.has("requestId"));
    }

    @Test
    void aFailureIsItsTypeMessageAndTopFramesOnOneLine() {
        String out = formatter.format(
                record(Level.SEVERE, "boom", new IllegalStateException("bad state", new RuntimeException("root"))));
        assertEquals(1, out.strip().split("\n").length);
        JsonNode error = Json.parse(out.strip()).path("error");
        assertEquals("java.lang.IllegalStateException", error.path("type").asText());
        assertEquals("bad state", error.path("message").asText());
        assertTrue(error.path("frames").size() > 0 && error.path("frames").size() <= 8);
        assertEquals("java.lang.RuntimeException: root", error.path("cause").asText());
    }

    @Test
    void everyNonPrintableCharacterIsEscapedAndTheTextReadsBackTheSame() {
        String hostile = "ok\u2028forged line\u2029\u0085next\u009b31mred\u001b[0m\u007f\u202eevil\ud800 "
                + "caf\u00e9 \ud83d\ude00";
        String out = formatter.format(record(Level.INFO, hostile, new IllegalStateException(hostile)));
        String line = out.strip();
        for (char c : new char[] {'\u2028', '\u2029', '\u0085', '\u009b', '\u001b', '\u007f', '\u202e', '\ud800'}) {
            assertEquals(-1, line.indexOf(c), "U+" + Integer.toHexString(c) + " is escaped");
        }
        assertTrue(line.contains("\\u2028") && line.contains("\\u0085") && line.contains("\\u009b"), line);
        assertTrue(line.contains("caf\u00e9 \ud83d\ude00"), "printable text, emoji included, stays as it is");
        JsonNode parsed = Json.parse(line);
        assertEquals(
                hostile.replace("\ud800", "?"), parsed.path("message").asText().replace("\ud800", "?"));
        assertEquals(parsed.path("message"), parsed.path("error").path("message"));
    }

    @Test
    void jsonLoggingIsOnlyForTheLambdaJsonLogFormat() {
        assertFalse(JsonLogging.installIfConfigured(Map.of()));
        assertFalse(JsonLogging.installIfConfigured(Map.of(JsonLogging.LOG_FORMAT, "Text")));
        assertEquals(Level.WARNING, JsonLogging.level("WARN"));
        assertEquals(Level.FINE, JsonLogging.level("debug"));
        assertEquals(Level.INFO, JsonLogging.level(null));
    }
}
