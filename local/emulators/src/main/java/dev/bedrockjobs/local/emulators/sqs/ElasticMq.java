package dev.bedrockjobs.local.emulators.sqs;

import dev.bedrockjobs.local.emulators.LocalPorts;
import java.net.URI;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * An embedded <a href="https://github.com/softwaremill/elasticmq">ElasticMQ</a> SQS server on the loopback
 * interface, speaking both the SQS query and JSON protocols (the AWS SDK v2 uses JSON).
 *
 * <p>It starts empty: callers create their queues, dead-letter queues and redrive policies with the SDK, exactly as
 * the deployed template would, so the same code paths run locally and in AWS. Queue URLs carry this server's real
 * address ({@code http://127.0.0.1:<port>/000000000000/<name>}).
 */
public final class ElasticMq implements AutoCloseable {

    /** The account id in queue URLs and ARNs. */
    public static final String ACCOUNT_ID = "000000000000";

    public static final String REGION = "us-east-1";

    private final int requestedPort;
    private SQSRestServer server;
    private int port;

    /** On a free port chosen at start. */
    public ElasticMq() {
        this(0);
    }

    /** On the given port, or a free one if {@code port} is 0. */
    public ElasticMq(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.requestedPort = port;
    }

    /** Binds and returns once the server accepts requests. */
    public synchronized ElasticMq start() {
        if (server != null) {
            throw new IllegalStateException("ElasticMQ already started on port " + port);
        }
        // The port is fixed before binding (rather than letting the server pick one) because ElasticMQ writes it into
        // every queue URL it hands out.
        int chosen = requestedPort > 0 ? requestedPort : LocalPorts.free();
        // Every SDK request carries a dozen headers (a long User-Agent among them) that ElasticMQ never reads; parsing
        // each into its typed model took a fifth of ElasticMQ's CPU under load. Raw headers serve its routes the same.
        System.setProperty("pekko.http.server.parsing.modeled-header-parsing", "off");
        String host = LocalPorts.loopback().getHostAddress();
        SQSRestServer started = SQSRestServerBuilder.withInterface(host)
                .withPort(chosen)
                .withServerAddress(new NodeAddress("http", host, chosen, ""))
                .withAWSAccountId(ACCOUNT_ID)
                .withAWSRegion(REGION)
                .start();
        try {
            started.waitUntilStarted();
        } catch (RuntimeException e) {
            started.stopAndWait();
            throw new IllegalStateException("ElasticMQ could not bind " + host + ":" + chosen, e);
        }
        server = started;
        port = chosen;
        return this;
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

    private void requireStarted() {
        if (server == null) {
            throw new IllegalStateException("ElasticMQ is not started");
        }
    }

    /** Stops the server and its actor system; safe to call twice. */
    @Override
    public synchronized void close() {
        if (server != null) {
            server.stopAndWait();
            server = null;
        }
    }
}
