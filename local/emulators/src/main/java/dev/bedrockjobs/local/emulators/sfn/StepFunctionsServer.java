package dev.bedrockjobs.local.emulators.sfn;

import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.local.emulators.LocalPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a {@link StepFunctionsService} over the Step Functions JSON 1.0 protocol on the loopback interface, so the
 * real {@code SfnClient} works against it with {@code endpointOverride}. Operations: CreateStateMachine,
 * DescribeStateMachine, ListStateMachines, DeleteStateMachine, StartExecution, StartSyncExecution,
 * DescribeExecution; any other answers {@code UnknownOperationException}.
 *
 * <p>Each request runs on its own thread from a cached pool: a StartSyncExecution holds its thread for as long as
 * the execution runs (up to five minutes), so a bounded pool would cap concurrent executions.
 *
 * <p>Client note: the SDK sends StartSyncExecution to the {@code sync-} host prefix ({@code sync-states...}); a
 * client aimed at this server must disable host prefix injection
 * ({@code SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION}) and raise its read timeout above the execution's
 * time limit.
 */
public final class StepFunctionsServer implements AutoCloseable {

    private final StepFunctionsService service;
    private final int requestedPort;
    private HttpServer server;
    private ExecutorService executor;

    /** On a free port chosen at start. */
    public StepFunctionsServer(StepFunctionsService service) {
        this(service, 0);
    }

    public StepFunctionsServer(StepFunctionsService service, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.service = Objects.requireNonNull(service);
        this.requestedPort = port;
    }

    public synchronized StepFunctionsServer start() {
        if (server != null) {
            throw new IllegalStateException("Step Functions server already started on port " + port());
        }
        try {
            server = HttpServer.create(new InetSocketAddress(LocalPorts.loopback(), requestedPort), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the Step Functions server to port " + requestedPort, e);
        }
        AtomicInteger number = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "sfn-api-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", new SfnApiHandler(service));
        server.start();
        return this;
    }

    /** {@code http://127.0.0.1:<port>}, the value for {@code SfnClient}'s {@code endpointOverride}. */
    public synchronized URI endpoint() {
        return URI.create("http://" + LocalPorts.loopback().getHostAddress() + ":" + port());
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("Step Functions server is not started");
        }
        return server.getAddress().getPort();
    }

    public StepFunctionsService service() {
        return service;
    }

    /**
     * Registers an EXPRESS state machine from a definition file with SAM-style {@code ${Placeholder}} substitutions.
     *
     * @return the state machine ARN
     */
    public String registerStateMachine(String name, Path definitionFile, Map<String, ?> substitutions) {
        return service.registerDefinitionFile(name, definitionFile, substitutions, StateMachineType.EXPRESS)
                .arn();
    }

    /** Stops serving; executions in progress are interrupted. The service and its engine are the caller's to close. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        server = null;
    }
}
