package dev.bedrockjobs.local.emulators.bedrock;

import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.local.emulators.LocalPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Amazon Bedrock runtime's InvokeModel and InvokeModelWithResponseStream, speaking its REST
 * protocol so the real {@code BedrockRuntimeClient} and {@code BedrockRuntimeAsyncClient} (and the Step Functions
 * Bedrock task) can be pointed at it with {@code endpointOverride}.
 *
 * <p>{@code POST /model/{modelId}/invoke} answers with the body shape of the model's provider family (Anthropic
 * Claude messages, Meta Llama, Amazon Nova, Mistral text completion, recognised from the id, inference-profile ids
 * included), a deterministic review-like text derived from the prompt, realistic token counts in the body and in
 * the {@code X-Amzn-Bedrock-Input-Token-Count} / {@code -Output-Token-Count} headers, and honours the body's token
 * budget. {@code POST /model/{modelId}/invoke-with-response-stream} streams the same answer in the event-stream
 * framing the SDK parses, as the family's streaming chunks, paced at {@link Config#tokensPerSecond()} after the
 * usual latency, the last chunk carrying Bedrock's {@code amazon-bedrock-invocationMetrics}. Sampling fields
 * (temperature, top_p, stop sequences...) are validated against each family's schema but do not change the answer.
 * Errors are sent as Bedrock sends them: status code, {@code x-amzn-ErrorType} header and {@code {"message": ...}},
 * which the SDK turns into the matching {@code BedrockRuntimeException} subclass; once a stream has begun, as an
 * event-stream exception message.
 *
 * <p>Faults come from two sources: random rates in the {@link Config} (seeded, for load and soak runs) and markers
 * in the prompt for deterministic tests (see {@link ScriptedFault}: {@code [[throttle:N]]},
 * {@code [[throttle:always]]}, {@code [[fail:validation]]}, {@code [[hang]]}, and for streams
 * {@code [[midstream:N]]}...). {@link #calls()} counts calls per model and prompt.
 */
public final class BedrockSimulator implements AutoCloseable {

    private final Config config;
    private final CallCounts calls = new CallCounts();
    private HttpServer server;
    private ThreadPoolExecutor executor;

    public BedrockSimulator(Config config) {
        this.config = Objects.requireNonNull(config);
    }

    /** With {@link Config#defaults()}: no latency, no random faults, a free port. */
    public BedrockSimulator() {
        this(Config.defaults());
    }

    public synchronized BedrockSimulator start() {
        if (server != null) {
            throw new IllegalStateException("Bedrock simulator already started on port " + port());
        }
        try {
            server = HttpServer.create(new InetSocketAddress(LocalPorts.loopback(), config.port()), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the Bedrock simulator to port " + config.port(), e);
        }
        executor = new ThreadPoolExecutor(
                config.maxConcurrentRequests(),
                config.maxConcurrentRequests(),
                30,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemonThreads());
        executor.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", new InvokeModelHandler(config, calls));
        server.start();
        return this;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "bedrock-simulator-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** {@code http://127.0.0.1:<port>}, the value for {@code BedrockRuntimeClient}'s {@code endpointOverride}. */
    public synchronized URI endpoint() {
        return URI.create("http://" + LocalPorts.loopback().getHostAddress() + ":" + port());
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("Bedrock simulator is not started");
        }
        return server.getAddress().getPort();
    }

    public Config config() {
        return config;
    }

    /** Call counters, live. */
    public CallCounts calls() {
        return calls;
    }

    /** Stops listening and interrupts requests in progress (hanging ones included); safe to call twice. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    /**
     * Simulator settings.
     *
     * @param port                   the port to bind, 0 for a free one
     * @param latencyMillis          added before every successful answer: before a stream's first chunk
     * @param tokensPerSecond        the pace of a streamed answer's text after its first chunk; 0 sends every chunk
     *                               at once
     * @param throttleRate           share of calls answered ThrottlingException 429, in [0, 1]
     * @param failureRate            share answered InternalServerException 500 or ServiceUnavailableException 503
     * @param hangRate               share that hang for {@code hangDuration} then answer ModelTimeoutException 408
     * @param hangDuration           how long a hang lasts; far beyond any client timeout by default
     * @param seed                   seed of the random source behind the rates
     * @param maxConcurrentRequests  request threads; requests beyond wait in the queue
     */
    public record Config(
            int port,
            long latencyMillis,
            double tokensPerSecond,
            double throttleRate,
            double failureRate,
            double hangRate,
            Duration hangDuration,
            long seed,
            int maxConcurrentRequests) {

        public Config {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (latencyMillis < 0) {
                throw new IllegalArgumentException("negative latency: " + latencyMillis);
            }
            if (!(tokensPerSecond >= 0 && Double.isFinite(tokensPerSecond))) {
                throw new IllegalArgumentException(
                        "tokensPerSecond must be 0 (unpaced) or positive: " + tokensPerSecond);
            }
            requireRate("throttleRate", throttleRate);
            requireRate("failureRate", failureRate);
            requireRate("hangRate", hangRate);
            if (throttleRate + failureRate + hangRate > 1.0) {
                throw new IllegalArgumentException("throttleRate + failureRate + hangRate exceeds 1");
            }
            Objects.requireNonNull(hangDuration, "hangDuration");
            if (maxConcurrentRequests < 1) {
                throw new IllegalArgumentException("maxConcurrentRequests must be positive");
            }
        }

        private static void requireRate(String name, double rate) {
            if (!(rate >= 0.0 && rate <= 1.0)) {
                throw new IllegalArgumentException(name + " must lie in [0, 1]: " + rate);
            }
        }

        /** No latency, unpaced streams, no random faults, free port, seed 42, 200 request threads, 15-minute hangs. */
        public static Config defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder()
                    .port(port)
                    .latencyMillis(latencyMillis)
                    .tokensPerSecond(tokensPerSecond)
                    .throttleRate(throttleRate)
                    .failureRate(failureRate)
                    .hangRate(hangRate)
                    .hangDuration(hangDuration)
                    .seed(seed)
                    .maxConcurrentRequests(maxConcurrentRequests);
        }

        public static final class Builder {
            private int port;
            private long latencyMillis;
            private double tokensPerSecond;
            private double throttleRate;
            private double failureRate;
            private double hangRate;
            private Duration hangDuration = Duration.ofMinutes(15);
            private long seed = 42;
            private int maxConcurrentRequests = 200;

            private Builder() {}

            public Builder port(int port) {
                this.port = port;
                return this;
            }

            public Builder latencyMillis(long latencyMillis) {
                this.latencyMillis = latencyMillis;
                return this;
            }

            public Builder tokensPerSecond(double tokensPerSecond) {
                this.tokensPerSecond = tokensPerSecond;
                return this;
            }

            public Builder throttleRate(double throttleRate) {
                this.throttleRate = throttleRate;
                return this;
            }

            public Builder failureRate(double failureRate) {
                this.failureRate = failureRate;
                return this;
            }

            public Builder hangRate(double hangRate) {
                this.hangRate = hangRate;
                return this;
            }

            public Builder hangDuration(Duration hangDuration) {
                this.hangDuration = hangDuration;
                return this;
            }

            public Builder seed(long seed) {
                this.seed = seed;
                return this;
            }

            public Builder maxConcurrentRequests(int maxConcurrentRequests) {
                this.maxConcurrentRequests = maxConcurrentRequests;
                return this;
            }

            public Config build() {
                return new Config(
                        port,
                        latencyMillis,
                        tokensPerSecond,
                        throttleRate,
                        failureRate,
                        hangRate,
                        hangDuration,
                        seed,
                        maxConcurrentRequests);
            }
        }
    }
}
