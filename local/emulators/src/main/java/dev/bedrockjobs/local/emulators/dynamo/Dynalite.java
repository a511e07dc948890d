package dev.bedrockjobs.local.emulators.dynamo;

import dev.bedrockjobs.local.emulators.LocalPorts;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs <a href="https://github.com/architect/dynalite">dynalite</a>, a DynamoDB emulator written for Node, as a
 * child process bound to the loopback interface.
 *
 * <p>In memory by default; with {@link Builder#dataDirectory(Path)} it keeps its LevelDB store in that folder so the
 * tables and items survive a restart. The CLI is taken from {@code node_modules/dynalite/cli.js} under the
 * repository root ({@link RepoRoot}), installed by {@code npm ci}. The child's stderr goes to this class's
 * {@link System.Logger}, its stdout at debug level, and the child is killed when this object is closed or, as a
 * last resort, when the JVM exits. Node preloads {@code expression-cache.js} (a resource of this package), which
 * keeps dynalite's parsed expressions instead of parsing each request's anew.
 *
 * <pre>{@code
 * try (Dynalite dynamo = Dynalite.builder().dataDirectory(dir).build().start()) {
 *     DynamoDbClient client = DynamoDbClient.builder().endpointOverride(dynamo.endpoint())...;
 * }
 * }</pre>
 */
public final class Dynalite implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Dynalite.class.getName());
    private static Path expressionCache;

    private final String nodeExecutable;
    private final Path cli;
    private final int requestedPort;
    private final Path dataDirectory;
    private final Integer tableStateDelayMillis;
    private final Duration startTimeout;

    private Process process;
    private int port;
    private Thread shutdownHook;

    private Dynalite(Builder builder) {
        this.nodeExecutable = builder.nodeExecutable;
        this.cli = builder.cli != null ? builder.cli : RepoRoot.nodeModule("dynalite/cli.js");
        this.requestedPort = builder.port;
        this.dataDirectory = builder.dataDirectory;
        this.tableStateDelayMillis = builder.tableStateDelayMillis;
        this.startTimeout = builder.startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An in-memory dynalite on a free port, not yet started. */
    public static Dynalite inMemory() {
        return builder().build();
    }

    /**
     * Starts the child process and returns once its port accepts connections.
     *
     * @throws IllegalStateException if node cannot be run, the process exits early or the port never answers
     */
    public synchronized Dynalite start() {
        if (process != null) {
            throw new IllegalStateException("dynalite already started on port " + port);
        }
        port = requestedPort > 0 ? requestedPort : LocalPorts.free();
        List<String> command = command();
        try {
            if (dataDirectory != null) {
                Files.createDirectories(dataDirectory);
            }
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot run `" + String.join(" ", command) + "`: is Node.js installed and `" + nodeExecutable
                            + "` on the PATH?",
                    e);
        }
        Process started = process;
        shutdownHook = new Thread(() -> started.destroyForcibly(), "dynalite-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        ProcessOutputForwarder stderr = ProcessOutputForwarder.start(
                started.getErrorStream(), "dynalite-stderr-" + port, LOG, System.Logger.Level.WARNING);
        ProcessOutputForwarder.start(
                started.getInputStream(), "dynalite-stdout-" + port, LOG, System.Logger.Level.DEBUG);
        awaitPort(started, stderr);
        LOG.log(
                System.Logger.Level.INFO,
                "dynalite listening at {0} ({1})",
                endpoint(),
                dataDirectory == null ? "in memory" : "data in " + dataDirectory);
        return this;
    }

    private List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                nodeExecutable,
                "--require",
                expressionCache().toString(),
                cli.toString(),
                "--host",
                LocalPorts.loopback().getHostAddress(),
                "--port",
                Integer.toString(port)));
        if (dataDirectory != null) {
            command.addAll(List.of("--path", dataDirectory.toAbsolutePath().toString()));
        }
        if (tableStateDelayMillis != null) {
            String millis = tableStateDelayMillis.toString();
            command.addAll(List.of("--createTableMs", millis, "--deleteTableMs", millis, "--updateTableMs", millis));
        }
        return command;
    }

    /**
     * The preload that keeps dynalite's parsed expressions (see the script's header: parsing was half of dynalite's
     * CPU), written out of this jar once per JVM.
     */
    private static synchronized Path expressionCache() {
        if (expressionCache == null) {
            try (InputStream in = Dynalite.class.getResourceAsStream("expression-cache.js")) {
                if (in == null) {
                    throw new IllegalStateException("expression-cache.js is missing from the classpath");
                }
                Path file = Files.createTempFile("dynalite-expression-cache", ".js");
                file.toFile().deleteOnExit();
                Files.write(file, in.readAllBytes());
                expressionCache = file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write dynalite's preload script", e);
            }
        }
        return expressionCache;
    }

    private void awaitPort(Process started, ProcessOutputForwarder stderr) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                stop();
                throw new IllegalStateException("dynalite exited with code " + started.exitValue()
                        + " before listening on port " + port + "; its stderr said:\n" + stderr.recentLines());
            }
            if (LocalPorts.answers(port, Duration.ofMillis(200))) {
                return;
            }
            sleepBriefly();
        }
        stop();
        throw new IllegalStateException("dynalite did not listen on port " + port + " within " + startTimeout
                + "; its stderr said:\n" + stderr.recentLines());
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for dynalite", e);
        }
    }

    /** {@code http://127.0.0.1:<port>}, the value for the SDK's {@code endpointOverride}. */
    public synchronized URI endpoint() {
        requireStarted();
        return URI.create("http://" + LocalPorts.loopback().getHostAddress() + ":" + port);
    }

    public synchronized int port() {
        requireStarted();
        return port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    private void requireStarted() {
        if (process == null) {
            throw new IllegalStateException("dynalite is not started");
        }
    }

    /** Stops the child process (gently, then forcibly); safe to call twice. */
    @Override
    public synchronized void close() {
        stop();
    }

    private void stop() {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyExiting) {
            // the hook is running or about to; nothing left to undo
        }
        process = null;
    }

    /** Options of a {@link Dynalite}; every one has a default. */
    public static final class Builder {
        private String nodeExecutable = "node";
        private Path cli;
        private int port;
        private Path dataDirectory;
        private Integer tableStateDelayMillis;
        private Duration startTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** A fixed port; by default a free one is chosen at start. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Keeps the data in this folder (created if missing) instead of memory, so it survives a restart. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory);
            return this;
        }

        /**
         * How long tables stay CREATING/UPDATING/DELETING. Dynalite's default (500 ms) is kept unless set, so code
         * that forgets to wait for ACTIVE fails locally as it would in AWS.
         */
        public Builder tableStateDelayMillis(int millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("negative delay: " + millis);
            }
            this.tableStateDelayMillis = millis;
            return this;
        }

        /** The Node.js executable; {@code node} from the PATH by default. */
        public Builder nodeExecutable(String nodeExecutable) {
            this.nodeExecutable = Objects.requireNonNull(nodeExecutable);
            return this;
        }

        /** The dynalite {@code cli.js}; by default {@code node_modules/dynalite/cli.js} under the repository root. */
        public Builder cli(Path cli) {
            if (!Files.isRegularFile(cli)) {
                throw new IllegalArgumentException("No dynalite CLI at " + cli + ": run `npm ci`");
            }
            this.cli = cli;
            return this;
        }

        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout);
            return this;
        }

        /** @throws IllegalStateException if dynalite is not installed under the repository root */
        public Dynalite build() {
            return new Dynalite(this);
        }
    }
}
