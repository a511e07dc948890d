package dev.bedrockjobs.core.adapter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.LogContext;

import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per log record: timestamp, level, logger, message, the thread's correlation ids
 * ({@link LogContext}) and, for a failure, the exception's class, message and top frames. Lambda's JSON log format
 * passes such lines through as they are, so Logs Insights can filter on {@code jobId} or {@code requestId}.
 */
public final class JsonLogFormatter extends Formatter {
    private static final int FRAMES = 8;

    @Override
    public String format(LogRecord record) {
        ObjectNode line = Json.object();
        line.put("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
        line.put("level", record.getLevel().getName());
        line.put("logger", record.getLoggerName());
        line.put("message", formatMessage(record));
        LogContext.current().forEach(line::put);
        Throwable t = record.getThrown();
        if (t != null) {
            ObjectNode error = line.putObject("error");
            error.put("type", t.getClass().getName());
            error.put("message", t.getMessage());
            StackTraceElement[] trace = t.getStackTrace();
            var frames = error.putArray("frames");
            for (int i = 0; i < Math.min(FRAMES, trace.length); i++) {
                frames.add(trace[i].toString());
            }
            if (t.getCause() != null) {
                error.put("cause", t.getCause().getClass().getName() + ": " + t.getCause().getMessage());
            }
        }
        return Json.write(line) + System.lineSeparator();
    }
}
