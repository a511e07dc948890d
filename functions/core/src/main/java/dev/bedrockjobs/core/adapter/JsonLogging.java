package dev.bedrockjobs.core.adapter;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Switches java.util.logging to {@link JsonLogFormatter} when the function's log format is JSON: Lambda's advanced
 * logging controls set {@code AWS_LAMBDA_LOG_FORMAT} (and {@code AWS_LAMBDA_LOG_LEVEL}) from the function's
 * {@code LoggingConfig}. Anywhere else (tests, the local runtime) logging is left as it is.
 */
public final class JsonLogging {
    public static final String LOG_FORMAT = "AWS_LAMBDA_LOG_FORMAT";
    public static final String LOG_LEVEL = "AWS_LAMBDA_LOG_LEVEL";
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private JsonLogging() {}

    /** @return whether JSON logging is on (installed now or before) */
    public static boolean installIfConfigured(Map<String, String> env) {
        if (!"JSON".equalsIgnoreCase(env.get(LOG_FORMAT))) {
            return INSTALLED.get();
        }
        if (INSTALLED.compareAndSet(false, true)) {
            Logger root = Logger.getLogger("");
            for (Handler h : root.getHandlers()) {
                root.removeHandler(h);
            }
            Level level = level(env.get(LOG_LEVEL));
            ConsoleHandler json = new ConsoleHandler();
            json.setFormatter(new JsonLogFormatter());
            json.setLevel(level);
            root.addHandler(json);
            root.setLevel(level);
        }
        return true;
    }

    /** Lambda's level names (TRACE, DEBUG, INFO, WARN, ERROR, FATAL) as java.util.logging levels. */
    static Level level(String lambdaLevel) {
        if (lambdaLevel == null) {
            return Level.INFO;
        }
        return switch (lambdaLevel.toUpperCase(java.util.Locale.ROOT)) {
            case "TRACE" -> Level.FINEST;
            case "DEBUG" -> Level.FINE;
            case "WARN" -> Level.WARNING;
            case "ERROR", "FATAL" -> Level.SEVERE;
            default -> Level.INFO;
        };
    }
}
