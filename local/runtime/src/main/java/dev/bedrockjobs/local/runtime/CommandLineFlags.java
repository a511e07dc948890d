package dev.bedrockjobs.local.runtime;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Parses the flags of {@code local/run} into {@link LocalOptions}. Both {@code --flag value} and
 * {@code --flag=value} are accepted; a relative {@code --data} is taken from the working directory, as any command
 * would, while the default {@code .local/} sits at the repository root so that every working directory shares it.
 */
final class CommandLineFlags {
    static final String USAGE = """
            usage: local/run [options]
              --port N                     HTTP port of the API (default 8080; 0 = any free port)
              --data DIR                   data folder: DynamoDB files, dev API key and webhook secret,
                                           endpoints.json (default .local/ at the repository root)
              --model-latency-ms N         simulated model latency before each answer (default 0)
              --model-tokens-per-second N  pace of the simulated model's streamed answers after their first
                                           chunk (default 0: unpaced)
              --throttle-rate R            share of simulated model calls throttled, 0..1 (default 0)
              --failure-rate R             share of simulated model calls failing with 500/503, 0..1 (default 0)
              --hang-rate R                share of simulated model calls that hang until timed out (default 0)
              --aws-failure-rate R         share of the functions' DynamoDB/SQS calls failing with a retryable
                                           500, before or after being applied (fault injection; default 0)
              --worker-kill-rate R         share of the worker's DynamoDB/SQS calls at which its invocation
                                           dies mid-job (fault injection; default 0)
              --bedrock sim|aws            the Bedrock simulator (default) or the real Bedrock runtime with the
                                           default AWS credentials chain
              --allow-loopback-webhooks[=true|false]
                                           accept http://127.0.0.1 webhook URLs (default true locally)
              --no-allow-loopback-webhooks same as --allow-loopback-webhooks=false
              --event-sources enabled|disabled
                                           disabled = like Enabled: false on every SQS event source mapping:
                                           queued work waits for the next run (default enabled)
              --iam on|off                 on = every DynamoDB, SQS, Step Functions and Bedrock call of a function
                                           or of the state machine is checked against its role in template.yaml
                                           and refused with AccessDeniedException if not allowed (default on)
              --param Name=Value           override a template parameter (repeatable), e.g.
                                           --param WorkerMaxConcurrency=20
              --help                       this text
            environment: BEDROCK_JOBS_API_KEY fixes the dev tenant's API key (else generated once, kept in DATA)
            """;

    /** Thrown for a malformed command line; the message says what is wrong. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The user asked for {@code --help}. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help", null, false, false);
        }
    }

    private CommandLineFlags() {}

    static LocalOptions parse(String[] args, Path repoRoot, Path workingDirectory) {
        LocalOptions.Builder b = LocalOptions.builder(repoRoot);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            try {
                switch (name) {
                    case "--help", "-h" -> throw new HelpRequested();
                    case "--port" -> b.port(Integer.parseInt(value(args, i, inline, name)));
                    case "--data" -> b.dataDirectory(workingDirectory.resolve(value(args, i, inline, name)));
                    case "--model-latency-ms" -> b.modelLatencyMillis(Long.parseLong(value(args, i, inline, name)));
                    case "--model-tokens-per-second" ->
                        b.modelTokensPerSecond(Double.parseDouble(value(args, i, inline, name)));
                    case "--throttle-rate" -> b.throttleRate(Double.parseDouble(value(args, i, inline, name)));
                    case "--failure-rate" -> b.failureRate(Double.parseDouble(value(args, i, inline, name)));
                    case "--hang-rate" -> b.hangRate(Double.parseDouble(value(args, i, inline, name)));
                    case "--aws-failure-rate" -> b.awsFailureRate(Double.parseDouble(value(args, i, inline, name)));
                    case "--worker-kill-rate" -> b.workerKillRate(Double.parseDouble(value(args, i, inline, name)));
                    case "--bedrock" -> b.bedrock(LocalOptions.BedrockMode.parse(value(args, i, inline, name)));
                    case "--allow-loopback-webhooks" -> b.allowLoopbackWebhooks(inline == null || bool(inline, name));
                    case "--no-allow-loopback-webhooks" -> b.allowLoopbackWebhooks(false);
                    case "--event-sources" -> b.eventSourcesEnabled(enabled(value(args, i, inline, name)));
                    case "--iam" -> b.iamEnforced(onOff(value(args, i, inline, name), name));
                    case "--param" -> {
                        String pair = value(args, i, inline, name);
                        int sep = pair.indexOf('=');
                        if (sep <= 0) {
                            throw new UsageException("--param takes Name=Value, not '" + pair + "'");
                        }
                        b.parameter(pair.substring(0, sep), pair.substring(sep + 1));
                    }
                    default -> throw new UsageException("unknown option '" + arg + "'");
                }
            } catch (NumberFormatException e) {
                throw new UsageException(name + " takes a number, not '" + value(args, i, inline, name) + "'");
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (inline == null && takesValue(name)) {
                i++;
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static boolean takesValue(String name) {
        return !name.equals("--allow-loopback-webhooks") && !name.equals("--no-allow-loopback-webhooks");
    }

    private static String value(String[] args, int i, String inline, String name) {
        if (inline != null) {
            return inline;
        }
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new UsageException(name + " needs a value");
        }
        return args[i + 1];
    }

    private static boolean bool(String text, String name) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new UsageException(name + " takes true or false, not '" + text + "'");
        };
    }

    private static boolean onOff(String text, String name) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new UsageException(name + " takes on or off, not '" + text + "'");
        };
    }

    private static boolean enabled(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "enabled", "on", "true" -> true;
            case "disabled", "off", "false" -> false;
            default -> throw new UsageException("--event-sources takes enabled or disabled, not '" + text + "'");
        };
    }
}
