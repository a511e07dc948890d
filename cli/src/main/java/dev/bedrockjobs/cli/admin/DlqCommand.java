package dev.bedrockjobs.cli.admin;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.CliException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code admin dlq list|redrive}: what is in a dead-letter queue, and moving it back to its source queue. */
@Command(
        name = "dlq",
        mixinStandardHelpOptions = true,
        description = "Inspect and redrive the dead-letter queues of the jobs and webhooks queues.",
        subcommands = {DlqCommand.ListMessages.class, DlqCommand.Redrive.class})
public final class DlqCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    /** The {@code --queue} both subcommands take. */
    static final class QueueChoice {
        @Option(
                names = "--queue",
                defaultValue = "jobs",
                description = "jobs (the interactive lane), bulk-jobs or webhooks (default ${DEFAULT-VALUE})")
        String name;

        DeadLetterQueue.Kind kind() {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "jobs" -> DeadLetterQueue.Kind.JOBS;
                case "bulk-jobs" -> DeadLetterQueue.Kind.BULK_JOBS;
                case "webhooks" -> DeadLetterQueue.Kind.WEBHOOKS;
                default -> throw CliException.usage("--queue is jobs, bulk-jobs or webhooks, not '" + name + "'");
            };
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = {
                "Count a dead-letter queue's messages and show a page of them (job id or event, receive "
                        + "count, first receive). Nothing is deleted or consumed: the messages are visible again at once."
            })
    public static final class ListMessages implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        StackQueues stack;

        @Mixin
        QueueChoice queue;

        @Option(names = "--max", defaultValue = "20", description = "messages to show (default ${DEFAULT-VALUE})")
        int max;

        public ListMessages(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            DeadLetterQueue.Kind kind = queue.kind();
            PrintWriter out = spec.commandLine().getOut();
            try (StackQueues.Connection c = stack.connect(kind, ctx)) {
                DeadLetterQueue.Counts counts = c.queue().counts();
                out.printf(
                        "%s DLQ: %d messages visible, %d in flight%n", queue.name, counts.visible(), counts.inFlight());
                for (DeadLetterQueue.Entry e : c.queue().peek(Math.max(0, max))) {
                    out.printf(
                            "%s  receives=%d  first-received=%s  sent=%s  message=%s%n",
                            e.subject(), e.receiveCount(), e.firstReceived(), e.sent(), e.messageId());
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "redrive",
            mixinStandardHelpOptions = true,
            description = {
                "Move dead-lettered messages back to their source queue.",
                "Jobs: only messages whose job is still queued or running are moved; a finished job (dead_lettered "
                        + "included: the reconciler failed it and announced it) stays, and is re-run by submitting "
                        + "it again. Webhooks: every event is moved (receivers drop repeats by webhook-id).",
                "Exit 1 if some messages were left in the queue."
            })
    public static final class Redrive implements Callable<Integer> {
        private final CliContext ctx;

        @Spec
        CommandSpec spec;

        @Mixin
        StackQueues stack;

        @Mixin
        QueueChoice queue;

        @Option(
                names = "--max",
                defaultValue = "1000",
                description = "messages to handle at most (default " + "${DEFAULT-VALUE})")
        int max;

        public Redrive(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            DeadLetterQueue.Kind kind = queue.kind();
            PrintWriter out = spec.commandLine().getOut();
            try (StackQueues.Connection c = stack.connect(kind, ctx)) {
                StackQueues.requireTable(c, kind);
                DeadLetterQueue.RedriveResult r = c.queue().redrive(Math.max(0, max));
                r.skippedReasons().forEach(reason -> out.println("left: " + reason));
                out.printf("moved %d, left %d%n", r.moved(), r.skipped());
                out.flush();
                return r.skipped() == 0 ? 0 : CliException.FAILED;
            }
        }
    }
}
