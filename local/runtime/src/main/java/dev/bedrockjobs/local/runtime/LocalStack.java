package dev.bedrockjobs.local.runtime;

import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoBatchStore;
import dev.bedrockjobs.core.adapter.DynamoJobStore;
import dev.bedrockjobs.core.adapter.DynamoTenantLimitOverrides;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.adapter.DynamoWebhookDeliveries;
import dev.bedrockjobs.core.adapter.EmfJobMetrics;
import dev.bedrockjobs.core.adapter.SqsJobQueue;
import dev.bedrockjobs.core.adapter.SqsWebhookQueue;
import dev.bedrockjobs.core.domain.Json;
import dev.bedrockjobs.core.domain.Lane;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.lambda.Components;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.dynamo.Dynalite;
import dev.bedrockjobs.local.emulators.sqs.ElasticMq;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import dev.bedrockjobs.local.emulators.template.TemplateTables;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The whole API on this machine, in one JVM, from {@code template.yaml}: dynalite (a child Node process, data on
 * disk), ElasticMQ with the template's queues, the Bedrock simulator, the Step Functions engine with the template's
 * state machines, every function's real handler, an API Gateway-like HTTP front, Lambda-like SQS event source
 * mappings and EventBridge-like rate schedules. {@code local/run} runs {@link #main}; tests use {@link #start} and
 * {@link #close}.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start(LocalOptions.builder(repoRoot).port(0).dataDirectory(tmp).build())) {
 *     HttpRequest.newBuilder(stack.apiUrl().resolve("/v1/jobs")).header("Authorization", "Bearer " + stack.devApiKey())...
 * }
 * }</pre>
 *
 * <p>IAM is emulated: each function's and the state machine's calls are held to their roles in the template and
 * refused as AWS refuses them ({@link IamEnforcement}; {@code --iam off} allows everything). Not emulated, on
 * purpose: function timeouts (reported through {@code Context}, not enforced) and API Gateway's 30-second integration
 * timeout, Lambda concurrency limits other than an event source's {@code MaximumConcurrency}, {@code cron(...)}
 * schedules, and message retention (ElasticMQ keeps messages in memory for the life of the process). Errors the HTTP front answers itself (unknown route, missing or refused
 * key, payload too large, a failing function) are RFC 9457 problems as the API contract spells them; a deployed HTTP
 * API answers those with its own {@code {"message": ...}} bodies, and a refused key with 403.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalStack.class.getName());
    /** How long a stopping stack lets batches in progress finish before cutting the queues away. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final LocalOptions options;
    /** What to close, in reverse order of creation. */
    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

    private final List<EventSourceMapping> eventSources = new ArrayList<>();
    private Dynalite dynalite;
    private ElasticMq elasticMq;
    private LocalBedrock bedrock;
    private LocalStepFunctions stepFunctions;
    private HttpFront front;
    private LocalTenants tenants;
    private String devApiKey;
    private String jobsTable;
    private Map<String, LambdaFunction> functions = Map.of();
    private Thread redrive;
    private IamEnforcement.Armed iam;
    private volatile boolean closed;

    private LocalStack(LocalOptions options) {
        this.options = options;
    }

    /** Starts everything and returns once {@code GET /healthz} answers. */
    public static LocalStack start(LocalOptions options) {
        LocalStack stack = new LocalStack(options);
        try {
            stack.boot();
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    /** The API's base URL, {@code http://127.0.0.1:<port>}. */
    public URI apiUrl() {
        return URI.create("http://127.0.0.1:" + front.port());
    }

    /** The dev tenant's API key. */
    public String devApiKey() {
        return devApiKey;
    }

    /** Creates a tenant with a new API key (a second tenant for isolation tests); returns the key. */
    public String createTenant(String tenantId) {
        return tenants.createTenant(tenantId);
    }

    /** Sets a tenant's own limits and cache setting, as an operator would on its tenant item. */
    public void setTenantLimits(String tenantId, TenantLimits.Overrides overrides) {
        tenants.setLimits(tenantId, overrides);
    }

    public Path dataDirectory() {
        return options.dataDirectory();
    }

    public LocalOptions options() {
        return options;
    }

    /**
     * What Lambda would give a function of the template here: its handler ({@code class::method}) and its resolved
     * environment, endpoints pointed at this stack's emulators. For tools that run a handler in a JVM of its own.
     */
    public FunctionSetup function(String logicalId) {
        LambdaFunction f = functions.get(logicalId);
        if (f == null) {
            throw new IllegalArgumentException(
                    "no function " + logicalId + " in the template; functions: " + functions.keySet());
        }
        return new FunctionSetup(f.handler(), f.environment());
    }

    /**
     * How the stack runs one function.
     *
     * @param handler     {@code class::method}
     * @param environment the variables, platform ones included
     */
    public record FunctionSetup(String handler, Map<String, String> environment) {}

    private void boot() {
        long t0 = System.nanoTime();
        // Small responses on keep-alive connections otherwise wait on Nagle + delayed ACK (tens of ms each).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // In AWS each function instance makes one call at a time; here every instance shares the JDK's keep-alive
        // cache, which keeps only 5 idle connections per host by default. With 50 clients most SDK calls then opened
        // a fresh connection to dynalite or ElasticMQ (a new stream to set up on the server each time): a quarter
        // fewer submits per second than with the connections reused.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(2 * HttpFront.THREADS));
        }
        Path root = options.repoRoot();
        SamTemplate template = SamTemplate.load(root.resolve("template.yaml"), options.parameterOverrides());
        requireKnownParameters(template);
        LocalResources resources = new LocalResources(template);
        DataDirectory data = remember(new DataDirectory(options.dataDirectory()).lock());

        startEmulators(data);
        long tEmulators = System.nanoTime();

        DynamoDbClient dynamo =
                remember(client(DynamoDbClient.builder(), dynalite.endpoint()).build());
        SqsClient sqs = remember(client(SqsClient.builder(), elasticMq.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        // above the long poll, so that an idle receive is never cut as a timeout
                        .socketTimeout(Duration.ofSeconds(EventSourceMapping.LONG_POLL_SECONDS + 10)))
                .build());
        createTables(dynamo, resources);
        TemplateQueues.create(sqs, resources);
        long tResources = System.nanoTime();

        bedrock = remember(LocalBedrock.start(options));
        TemplateLambdaInvoker lambda = remember(new TemplateLambdaInvoker());
        stepFunctions = remember(LocalStepFunctions.start(bedrock, lambda));
        // a definition's substitutions may name functions (!GetAtt F.Arn), which exist by name before they run
        TemplateFunctions.register(resources);
        stepFunctions.createFromTemplate(resources, root);

        long tStepFunctions = System.nanoTime();
        Map<String, LambdaFunction> functions = TemplateFunctions.read(resources, platformEnvironment());
        lambda.serve(resources, functions);
        jobsTable = shared(functions, Components.JOBS_TABLE);
        this.functions = Map.copyOf(functions);
        AwsCallFaults.arm(options.faults(), functions.keySet());
        if (options.faults().any() || options.faults().hangRate() > 0) {
            LOG.warning("fault injection: " + options.faults());
        }
        if (options.iamEnforced()) {
            iam = IamEnforcement.arm(
                    TemplatePolicies.read(resources),
                    remember(RefusalResponder.start()).endpoint());
            if (options.bedrock() == LocalOptions.BedrockMode.AWS) {
                LOG.info("--bedrock aws: the state machine's model calls go out with your own credentials, and AWS "
                        + "checks those, not the state machine's role");
            }
        } else {
            LOG.warning("--iam off: every AWS call is allowed, whatever the template's policies say");
        }
        tenants = new LocalTenants(
                new DynamoApiKeys(dynamo, jobsTable),
                new DynamoTenants(dynamo, jobsTable),
                new DynamoTenantLimitOverrides(dynamo, jobsTable),
                Clock.systemUTC());
        devApiKey = tenants.ensureDevTenant(data, System.getenv(LocalTenants.API_KEY_ENV));

        front = remember(
                TemplateHttpApi.front(resources, functions, options.port()).start());
        long tFront = System.nanoTime();

        startEventSources(resources, functions, sqs);
        for (ScheduleRule rule : ScheduleRule.fromTemplate(resources, functions)) {
            remember(rule.start());
            LOG.info("schedule " + rule.ruleName() + " every " + rule.period().toMinutes() + " min");
        }
        startRedrive(dynamo, sqs, functions);

        writeEndpoints(data);
        awaitHealthy();
        LOG.info(String.format(
                "started in %d ms: dynalite and ElasticMQ %d, table and queues %d, model and Step "
                        + "Functions %d, functions and HTTP front %d, until healthy %d",
                ms(t0, System.nanoTime()),
                ms(t0, tEmulators),
                ms(tEmulators, tResources),
                ms(tResources, tStepFunctions),
                ms(tStepFunctions, tFront),
                ms(tFront, System.nanoTime())));
    }

    /** dynalite (a Node process) and ElasticMQ (an actor system), the two slowest parts, start side by side. */
    private void startEmulators(DataDirectory data) {
        CompletableFuture<Dynalite> dynamoStart = CompletableFuture.supplyAsync(
                () -> Dynalite.builder().dataDirectory(data.dynamoDb()).build().start());
        CompletableFuture<ElasticMq> sqsStart = CompletableFuture.supplyAsync(() -> new ElasticMq().start());
        dynalite = startedOrNull(dynamoStart);
        elasticMq = startedOrNull(sqsStart);
        if (dynalite != null) {
            remember(dynalite);
        }
        if (elasticMq != null) {
            remember(elasticMq);
        }
        rethrowFailure(dynamoStart);
        rethrowFailure(sqsStart);
    }

    /** Every table of the template, named by its TableName or logical id; kept if it exists (data on disk). */
    private static void createTables(DynamoDbClient dynamo, LocalResources resources) {
        SamTemplate template = resources.template();
        for (String table : template.resourcesOfType("AWS::DynamoDB::Table")) {
            Object explicit = template.properties(table).get("TableName");
            String name = explicit == null ? table : resources.resolveString(explicit);
            TemplateTables.create(dynamo, template, table, name);
            resources.putRef(table, name);
            resources.putAttribute(table, "Arn", LocalResources.tableArn(name));
        }
    }

    private void startEventSources(LocalResources resources, Map<String, LambdaFunction> functions, SqsClient sqs) {
        List<EventSourceMapping> mappings = TemplateEventSources.read(resources, functions, sqs);
        if (!options.eventSourcesEnabled()) {
            LOG.info("event sources disabled: queued work waits for a run with them enabled");
            return;
        }
        for (EventSourceMapping m : mappings) {
            eventSources.add(m.start());
            LOG.info("event source " + m.settings().queueArn() + " -> "
                    + m.function().name() + " (batch " + m.settings().batchSize() + ", concurrency "
                    + m.settings().maximumConcurrency() + ")");
        }
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /** The variables Lambda itself provides, pointed at the emulators, on top of each function's own. */
    private Map<String, String> platformEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", LocalResources.REGION);
        env.put("AWS_DEFAULT_REGION", LocalResources.REGION);
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", elasticMq.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SFN", stepFunctions.endpoint().toString());
        if (options.bedrock() != LocalOptions.BedrockMode.AWS) {
            // the streaming function calls the model itself; with --bedrock aws it reaches the real service
            env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", bedrock.endpoint().toString());
        }
        if (options.allowLoopbackWebhooks()) {
            env.put(Components.ALLOW_LOOPBACK_WEBHOOKS, "true");
        }
        // embedded-format metrics are for CloudWatch; locally they would only crowd the console
        env.put(EmfJobMetrics.DISABLED, "true");
        return env;
    }

    /** The one value every function sets for a variable (the table, the jobs queue). */
    private static String shared(Map<String, LambdaFunction> functions, String variable) {
        Set<String> values = new HashSet<>();
        functions.values().forEach(f -> {
            String v = f.environment().get(variable);
            if (v != null) {
                values.add(v);
            }
        });
        if (values.size() != 1) {
            throw new IllegalStateException(
                    "expected one value of " + variable + " across the functions, found " + values);
        }
        return values.iterator().next();
    }

    /**
     * Re-sends the messages of unfinished jobs in the background: the API is usable meanwhile, and duplicates are
     * harmless to the idempotent worker.
     */
    private void startRedrive(DynamoDbClient dynamo, SqsClient sqs, Map<String, LambdaFunction> functions) {
        String table = shared(functions, Components.JOBS_TABLE);
        Map<Lane, String> queueUrls = Map.of(
                Lane.INTERACTIVE,
                shared(functions, Components.JOBS_QUEUE_URL),
                Lane.BULK,
                shared(functions, Components.BULK_JOBS_QUEUE_URL));
        redrive = new Thread(
                () -> {
                    try {
                        int n = JobRedrive.run(dynamo, table, new SqsJobQueue(sqs, queueUrls));
                        if (n > 0) {
                            LOG.info("re-drove " + n + " unfinished jobs from the last run");
                        }
                        SqsWebhookQueue webhooks =
                                new SqsWebhookQueue(sqs, shared(functions, Components.WEBHOOKS_QUEUE_URL));
                        DynamoWebhookDeliveries deliveries =
                                new DynamoWebhookDeliveries(dynamo, table, Duration.ofDays(30));
                        int events = JobRedrive.redriveWebhookEvents(
                                        dynamo,
                                        table,
                                        new DynamoJobStore(dynamo, table, Duration.ofDays(30)),
                                        webhooks,
                                        deliveries)
                                + JobRedrive.redriveBatchEvents(
                                        dynamo,
                                        table,
                                        new DynamoBatchStore(dynamo, table, Duration.ofDays(30)),
                                        webhooks,
                                        deliveries);
                        if (events > 0) {
                            LOG.info("re-sent " + events + " webhook events the last run had not delivered");
                        }
                    } catch (RuntimeException e) {
                        if (!closed) {
                            LOG.log(Level.WARNING, "re-driving unfinished jobs failed; they stay queued", e);
                        }
                    }
                },
                "job-redrive");
        redrive.setDaemon(true);
        redrive.start();
    }

    /** Waits until the re-drive of the last run's unfinished jobs has been sent (tests use it). */
    public void awaitRedrive(Duration limit) throws InterruptedException {
        redrive.join(limit.toMillis());
    }

    private void writeEndpoints(DataDirectory data) {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("api", apiUrl().toString());
        endpoints.put("dynamodb", dynalite.endpoint().toString());
        endpoints.put("sqs", elasticMq.endpoint().toString());
        endpoints.put("stepfunctions", stepFunctions.endpoint().toString());
        endpoints.put("bedrock", bedrock.endpoint().toString());
        // what "bedrock-jobs admin keys --local" manages keys in
        endpoints.put("jobsTable", jobsTable);
        data.write(DataDirectory.ENDPOINTS, Json.write(endpoints) + "\n", false);
    }

    private void awaitHealthy() {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest health = HttpRequest.newBuilder(apiUrl().resolve("/healthz"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for /healthz", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for /healthz", e);
            }
        }
        throw new IllegalStateException("GET /healthz did not answer 200 within 30 s: " + last);
    }

    private void requireKnownParameters(SamTemplate template) {
        Set<String> known = template.section("Parameters").keySet();
        for (String name : options.parameterOverrides().keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        "--param " + name + ": the template has no such parameter " + "(it has " + known + ")");
            }
        }
        List<String> violations = template.ruleViolations();
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException("the parameters break the template's rules: " + violations);
        }
    }

    private static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, ?>> B client(
            B builder, URI endpoint) {
        return builder.endpointOverride(endpoint)
                .region(Region.of(LocalResources.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
    }

    private <T extends AutoCloseable> T remember(T closeable) {
        closeables.push(closeable);
        return closeable;
    }

    private static <T> T startedOrNull(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            return null;
        }
    }

    private static void rethrowFailure(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Stops everything: the HTTP front first (no new work), then lets batches in progress finish for a while, then
     * stops the queues (which releases the pollers' long polls), the pollers, the model and Step Functions, and
     * finally dynalite. Safe to call twice, and from a shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        AwsCallFaults.disarm();
        if (front != null) {
            front.close();
            closeables.remove(front);
        }
        eventSources.forEach(EventSourceMapping::stopPolling);
        long graceEnd = System.nanoTime() + STOP_GRACE.toNanos();
        for (EventSourceMapping m : eventSources) {
            if (!m.awaitIdle(Duration.ofNanos(Math.max(0, graceEnd - System.nanoTime())))) {
                LOG.warning(m.function().name() + " was still processing after " + STOP_GRACE.toSeconds()
                        + " s; its jobs are re-driven on the next start");
            }
        }
        if (elasticMq != null) {
            elasticMq.close();
        }
        eventSources.forEach(EventSourceMapping::close);
        while (!closeables.isEmpty()) {
            AutoCloseable c = closeables.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "stopping " + c + " failed", e);
            }
        }
        if (iam != null) { // held until the last batch in progress has finished
            IamEnforcement.disarm(iam);
        }
    }

    public static void main(String[] args) {
        configureLogging();
        Path root = RepoRoot.require();
        LocalOptions options;
        try {
            options = CommandLineFlags.parse(args, root, Path.of("").toAbsolutePath());
        } catch (CommandLineFlags.HelpRequested help) {
            System.out.print(CommandLineFlags.USAGE);
            return;
        } catch (CommandLineFlags.UsageException e) {
            System.err.println("local/run: " + e.getMessage());
            System.err.print(CommandLineFlags.USAGE);
            System.exit(2);
            return;
        }
        LocalStack stack;
        try {
            stack = start(options);
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "the local stack could not start: " + e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            // not through java.util.logging, whose own shutdown hook may already have closed its
                            // handlers
                            System.err.println("stopping the local stack");
                            stack.close();
                            stopped.countDown();
                        },
                        "local-stack-shutdown"));
        LOG.info("data in " + options.dataDirectory() + "; dev API key in "
                + options.dataDirectory().resolve(DataDirectory.DEV_API_KEY) + "; endpoints in "
                + options.dataDirectory().resolve(DataDirectory.ENDPOINTS));
        System.out.println("ready " + stack.apiUrl());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One line per record on stderr, unless the user configured java.util.logging. */
    private static void configureLogging() {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
        }
    }
}
