package dev.bedrockjobs.local.runtime;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a local stack is started with: the flags of {@code local/run} (DESIGN §6, a contract) plus the few knobs
 * the tests and benchmarks need. Built with {@link #builder(Path)} from Java, or parsed from the command line by
 * {@link CommandLine}.
 *
 * @param port                   HTTP port of the API; 0 picks a free one
 * @param dataDirectory          where dynalite keeps its files and the dev tenant's key and secret are stored
 * @param modelLatencyMillis     added by the Bedrock simulator before each successful answer
 * @param modelTokensPerSecond   the pace of the simulator's streamed answers after their first chunk; 0 = unpaced
 * @param throttleRate           share of simulated model calls answered with ThrottlingException
 * @param failureRate            share of simulated model calls answered with a 500/503
 * @param bedrock                the simulator, or the real Bedrock runtime with the default AWS credentials
 * @param allowLoopbackWebhooks  lets jobs name http://127.0.0.1 receivers (never allowed in AWS)
 * @param eventSourcesEnabled    false is the local equivalent of {@code Enabled: false} on every SQS event source
 *                               mapping: messages stay in their queues (jobs stay queued) until a stack with event
 *                               sources enabled runs
 * @param parameterOverrides     template parameters, as {@code sam deploy --parameter-overrides} would set them
 * @param repoRoot               the repository (template.yaml, statemachine/, node_modules)
 * @param faults                 faults injected into this run (none by default); see {@link Faults}
 * @param iamEnforced            the functions' and the state machine's AWS calls are held to their roles in the
 *                               template and refused as AWS refuses them (on by default); see {@link IamEnforcement}
 */
public record LocalOptions(
        int port,
        Path dataDirectory,
        long modelLatencyMillis,
        double modelTokensPerSecond,
        double throttleRate,
        double failureRate,
        BedrockMode bedrock,
        boolean allowLoopbackWebhooks,
        boolean eventSourcesEnabled,
        Map<String, String> parameterOverrides,
        Path repoRoot,
        Faults faults,
        boolean iamEnforced) {

    /**
     * Faults a run injects to show that nothing is lost, on top of the model's {@code throttleRate} and
     * {@code failureRate}. They act on the functions' calls only (not on the local runtime's own plumbing).
     *
     * @param hangRate          share of simulated model calls that hang (then time out)
     * @param awsFailureRate    share of the functions' DynamoDB and SQS calls that fail with a retryable 500: half
     *                          before the request is sent, half after it was applied (the answer is lost)
     * @param workerKillRate    share of the worker's DynamoDB and SQS calls at which its invocation dies (as a
     *                          crashed or timed-out Lambda does): the message is redelivered after its visibility
     *                          timeout, or re-driven on the next start
     */
    public record Faults(double hangRate, double awsFailureRate, double workerKillRate) {
        public static final Faults NONE = new Faults(0, 0, 0);

        public Faults {
            requireRate("--hang-rate", hangRate);
            requireRate("--aws-failure-rate", awsFailureRate);
            requireRate("--worker-kill-rate", workerKillRate);
        }

        boolean any() {
            return awsFailureRate > 0 || workerKillRate > 0;
        }
    }

    public static final int DEFAULT_PORT = 8080;

    /** Where model calls go. */
    public enum BedrockMode {
        SIM,
        AWS;

        static BedrockMode parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--bedrock must be sim or aws, not '" + text + "'");
            }
        }
    }

    public LocalOptions {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be from 0 to 65535, not " + port);
        }
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        if (modelLatencyMillis < 0) {
            throw new IllegalArgumentException("--model-latency-ms must not be negative");
        }
        if (!(modelTokensPerSecond >= 0 && Double.isFinite(modelTokensPerSecond))) {
            throw new IllegalArgumentException("--model-tokens-per-second must be 0 (unpaced) or positive");
        }
        requireRate("--throttle-rate", throttleRate);
        requireRate("--failure-rate", failureRate);
        Objects.requireNonNull(faults, "faults");
        if (throttleRate + failureRate + faults.hangRate() > 1.0) {
            throw new IllegalArgumentException("--throttle-rate + --failure-rate + --hang-rate must not exceed 1");
        }
        Objects.requireNonNull(bedrock, "bedrock");
        parameterOverrides = Map.copyOf(parameterOverrides);
        Objects.requireNonNull(repoRoot, "repoRoot");
    }

    private static void requireRate(String flag, double rate) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw new IllegalArgumentException(flag + " must lie in [0, 1], not " + rate);
        }
    }

    public static Builder builder(Path repoRoot) {
        return new Builder(repoRoot);
    }

    /** Options with every default, for the repository at {@code repoRoot}. */
    public static final class Builder {
        private final Path repoRoot;
        private int port = DEFAULT_PORT;
        private Path dataDirectory;
        private long modelLatencyMillis;
        private double modelTokensPerSecond;
        private double throttleRate;
        private double failureRate;
        private BedrockMode bedrock = BedrockMode.SIM;
        private boolean allowLoopbackWebhooks = true;
        private boolean eventSourcesEnabled = true;
        private double hangRate;
        private double awsFailureRate;
        private double workerKillRate;
        private boolean iamEnforced = true;
        private final Map<String, String> parameterOverrides = new LinkedHashMap<>();

        private Builder(Path repoRoot) {
            this.repoRoot = repoRoot.toAbsolutePath().normalize();
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Default: {@code .local/} at the repository root, whatever the working directory. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
            return this;
        }

        public Builder modelLatencyMillis(long millis) {
            this.modelLatencyMillis = millis;
            return this;
        }

        public Builder modelTokensPerSecond(double tokensPerSecond) {
            this.modelTokensPerSecond = tokensPerSecond;
            return this;
        }

        public Builder throttleRate(double rate) {
            this.throttleRate = rate;
            return this;
        }

        public Builder failureRate(double rate) {
            this.failureRate = rate;
            return this;
        }

        public Builder bedrock(BedrockMode mode) {
            this.bedrock = mode;
            return this;
        }

        public Builder allowLoopbackWebhooks(boolean allow) {
            this.allowLoopbackWebhooks = allow;
            return this;
        }

        public Builder eventSourcesEnabled(boolean enabled) {
            this.eventSourcesEnabled = enabled;
            return this;
        }

        /** Share of simulated model calls that hang until the caller's timeout. */
        public Builder hangRate(double rate) {
            this.hangRate = rate;
            return this;
        }

        /** Share of the functions' DynamoDB and SQS calls that fail (retryably), before or after being applied. */
        public Builder awsFailureRate(double rate) {
            this.awsFailureRate = rate;
            return this;
        }

        /** Share of the worker's DynamoDB and SQS calls at which its invocation dies. */
        public Builder workerKillRate(double rate) {
            this.workerKillRate = rate;
            return this;
        }

        /** false: every call is allowed, whatever the template's policies say. */
        public Builder iamEnforced(boolean enforced) {
            this.iamEnforced = enforced;
            return this;
        }

        public Builder parameter(String name, String value) {
            this.parameterOverrides.put(name, value);
            return this;
        }

        public LocalOptions build() {
            Path data = dataDirectory != null ? dataDirectory : repoRoot.resolve(".local");
            return new LocalOptions(
                    port,
                    data,
                    modelLatencyMillis,
                    modelTokensPerSecond,
                    throttleRate,
                    failureRate,
                    bedrock,
                    allowLoopbackWebhooks,
                    eventSourcesEnabled,
                    parameterOverrides,
                    repoRoot,
                    new Faults(hangRate, awsFailureRate, workerKillRate),
                    iamEnforced);
        }
    }
}
