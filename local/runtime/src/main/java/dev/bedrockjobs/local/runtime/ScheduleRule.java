package dev.bedrockjobs.local.runtime;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.joda.time.DateTime;
import org.joda.time.DateTimeZone;

/**
 * A function's {@code Type: Schedule} event (an EventBridge rule) run locally: every {@code rate(...)} period the
 * function gets the {@link ScheduledEvent} EventBridge sends, the first one a period after the start, as a new rule
 * fires. {@code cron(...)} expressions are not emulated; they are reported at start and skipped.
 */
final class ScheduleRule implements AutoCloseable {
    private static final Pattern RATE = Pattern.compile("rate\\((\\d+)\\s+(minutes?|hours?|days?)\\)");
    private static final Logger LOG = Logger.getLogger(ScheduleRule.class.getName());

    private final String ruleName;
    private final LambdaFunction function;
    private final Duration period;
    private final ScheduledExecutorService timer;

    ScheduleRule(String ruleName, LambdaFunction function, Duration period) {
        this.ruleName = ruleName;
        this.function = function;
        this.period = period;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "schedule-" + ruleName);
            t.setDaemon(true);
            return t;
        });
    }

    static List<ScheduleRule> fromTemplate(LocalResources resources, Map<String, LambdaFunction> functions) {
        List<ScheduleRule> rules = new ArrayList<>();
        functions.forEach((id, function) -> {
            Object events = resources.template().functionProperties(id).get("Events");
            if (!(events instanceof Map<?, ?> byName)) {
                return;
            }
            byName.forEach((eventName, e) -> {
                Map<?, ?> event = (Map<?, ?>) e;
                if (!"Schedule".equals(event.get("Type"))) {
                    return;
                }
                Map<?, ?> p = event.get("Properties") instanceof Map<?, ?> m ? m : Map.of();
                String rule = id + eventName;
                if ("false".equalsIgnoreCase(String.valueOf(resources.resolve(p.get("Enabled"))))
                        || "DISABLED".equals(resources.resolveString(p.get("State")))) {
                    LOG.info("schedule " + rule + " is disabled in the template");
                    return;
                }
                if (p.get("Input") != null) {
                    throw new IllegalStateException("schedule " + rule + ": a custom Input is not emulated locally");
                }
                String expression = resources.resolveString(p.get("Schedule"));
                Matcher rate = RATE.matcher(expression == null ? "" : expression.strip());
                if (!rate.matches()) {
                    LOG.warning("schedule " + rule + " (" + expression + ") is not run locally: only rate(...) "
                            + "schedules are emulated");
                    return;
                }
                rules.add(new ScheduleRule(rule, function, period(Long.parseLong(rate.group(1)), rate.group(2))));
            });
        });
        return rules;
    }

    private static Duration period(long n, String unit) {
        String u = unit.toLowerCase(Locale.ROOT);
        return u.startsWith("minute")
                ? Duration.ofMinutes(n)
                : u.startsWith("hour") ? Duration.ofHours(n) : Duration.ofDays(n);
    }

    String ruleName() {
        return ruleName;
    }

    Duration period() {
        return period;
    }

    @SuppressWarnings("FutureReturnValueIgnored") // fire() catches and logs every failure; close() ends the timer
    ScheduleRule start() {
        LambdaFunction.Instance instance = function.newInstance();
        timer.scheduleAtFixedRate(() -> fire(instance), period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void fire(LambdaFunction.Instance instance) {
        try {
            Object result = instance.invoke(event());
            LOG.fine(() -> ruleName + " -> " + function.name() + ": " + result);
        } catch (RuntimeException | LinkageError e) {
            // EventBridge retries a failed asynchronous invocation; the next period does the same here.
            LOG.log(Level.WARNING, ruleName + " -> " + function.name() + " failed", e);
        }
    }

    private ScheduledEvent event() {
        ScheduledEvent e = new ScheduledEvent();
        e.setVersion("0");
        e.setId(UUID.randomUUID().toString());
        e.setDetailType("Scheduled Event");
        e.setSource("aws.events");
        e.setAccount(LocalResources.ACCOUNT_ID);
        e.setRegion(LocalResources.REGION);
        e.setTime(DateTime.now(DateTimeZone.UTC).withMillisOfSecond(0));
        e.setResources(List.of(
                "arn:aws:events:" + LocalResources.REGION + ":" + LocalResources.ACCOUNT_ID + ":rule/" + ruleName));
        e.setDetail(Map.of());
        return e;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
