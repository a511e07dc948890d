package dev.bedrockjobs.core.adapter;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.LogContext;
import dev.bedrockjobs.core.domain.PrintableText;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per log record: timestamp, level, logger, message, the thread's correlation ids
 * ({@link LogContext}) and, for a failure, the exception's class, message and top frames. Lambda's JSON log format
 * passes such lines through as they are, so Logs Insights can filter on {@code jobId} or {@code requestId}.
 *
 * <p>Every character a terminal or a log viewer could act on is written as a six-character JSON escape, not just the
 * C0 controls JSON requires: DEL and the C1 controls (U+0085 next line, U+009B the 8-bit CSI), the line and paragraph
 * separators U+2028/U+2029, format characters such as bidirectional overrides, and unpaired surrogates. Messages
 * carry text from outside (a receiver's answer, a model's error), and one line must stay one line, shown as written.
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
                error.put(
                        "cause",
                        t.getCause().getClass().getName() + ": " + t.getCause().getMessage());
            }
        }
        return escapeNonPrintable(Json.write(line)) + System.lineSeparator();
    }

    /**
     * JSON text with every non-printable character escaped. Outside strings JSON text is ASCII and printable, so
     * every such character is inside a string, where an escape means the same character.
     */
    static String escapeNonPrintable(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean pair = Character.isHighSurrogate(c)
                    && i + 1 < json.length()
                    && Character.isLowSurrogate(json.charAt(i + 1));
            if (pair) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (PrintableText.isPrintable(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(json.length() + 16).append(json, 0, i);
            }
            out.append(String.format("\\u%04x", (int) c));
        }
        return out == null ? json : out.toString();
    }
}
