package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.bedrockjobs.local.emulators.RepoRoot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console in a real browser (headless Chromium) against the local stack, as a person uses it: pastes a key,
 * watches a job submitted through the API appear and finish, opens it, replays its webhook, follows a batch to 100%,
 * reads the month's usage, whose chart adds up to {@code GET /v1/usage}. Another tenant's key sees none of it, and a
 * key the API does not know shows the API's 401 problem. Every view is saved as a screenshot under
 * {@code target/console-screenshots}. The page's console must stay free of errors and policy violations throughout.
 *
 * <p>Skipped, saying so, where Chromium is not installed; the project's CI installs it ({@code .ci/run}) and fails
 * the test without it.
 */
class ConsoleEndToEndTest {
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final int BATCH_ITEMS = 12;

    @TempDir
    static Path data;

    private static LocalStack stack;
    private static HttpServer receiver;
    private static final AtomicInteger WEBHOOKS = new AtomicInteger();
    private static HeadlessChromium browser;

    @BeforeAll
    static void start() throws IOException {
        Optional<Path> chromium = HeadlessChromium.executable();
        if (chromium.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail("Chromium is not installed on CI, where .ci/run installs it: the console's browser test must run");
        }
        Assumptions.assumeTrue(
                chromium.isPresent(),
                "Chromium is not installed (no chromium on the PATH): the "
                        + "console's browser test is skipped. Install the Debian package chromium to run it.");
        stack = LocalStack.start(LocalOptions.builder(RepoRoot.require())
                .port(0)
                .dataDirectory(data)
                .build());
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            WEBHOOKS.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        browser = HeadlessChromium.start(chromium.get(), 1200, 800);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static URI console() {
        return stack.apiUrl().resolve("/console");
    }

    private static void screenshot(String name) {
        browser.screenshot(SCREENSHOTS.resolve(name + ".png"));
    }

    /** Opens the console afresh (the tab's storage cleared) and pastes the key, ending with Enter. */
    private static void signIn(String key) {
        browser.open(console());
        browser.eval("sessionStorage.clear()");
        browser.open(console());
        browser.waitFor("the key form", "!document.getElementById('key-view').hidden");
        browser.type("#key", key);
        browser.press("Enter", 13);
    }

    private static void assertNoComplaints() {
        assertEquals(List.of(), browser.complaints(), "the page's console reported errors or policy violations");
    }

    @Test
    void aTenantFollowsItsJobsBatchesWebhooksAndSpendInTheConsole() {
        String keyA = stack.createTenant("console-a-" + UUID.randomUUID());
        ApiClient tenantA = new ApiClient(stack.apiUrl(), keyA);
        signIn(keyA);
        browser.waitFor("the empty jobs list", "!document.getElementById('jobs-empty').hidden");
        screenshot("01-jobs-empty");

        // a job submitted through the API appears and finishes while the list is on screen
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        JsonNode submitted = ApiClient.json(tenantA.postJson(
                "/v1/jobs",
                "{\"prompt\": \"Review: if (a = b) return;\"," + " \"model\": \"fast\", \"webhook\": {\"url\": \""
                        + hook + "\"}}"));
        String jobId = submitted.path("id").asText();
        String row = "tr[data-job-id='" + jobId + "']";
        browser.waitFor("the job to appear", "document.querySelector(\"" + row + "\")");
        browser.waitFor("the job to succeed", "document.querySelector(\"" + row + "\").dataset.status === 'succeeded'");
        screenshot("02-jobs");

        // opened: the answer as the API has it, and the webhook's delivery; a replay adds an attempt
        browser.click(row + " a");
        JsonNode job = tenantA.awaitTerminal(jobId, Duration.ofSeconds(30));
        browser.waitFor(
                "the answer",
                "document.getElementById('job-answer').textContent === "
                        + HeadlessChromium.quote(job.path("result").path("text").asText()));
        browser.waitFor("the first delivery", "document.querySelectorAll('#deliveries-table tbody tr').length === 1");
        int deliveredBefore = WEBHOOKS.get();
        browser.click("#job-replay");
        browser.waitFor(
                "the replay's confirmation",
                "document.getElementById('replay-status').textContent" + ".startsWith('Replay queued')");
        browser.waitFor(
                "the replay's delivery", "document.querySelectorAll('#deliveries-table tbody tr').length === 2");
        assertTrue(WEBHOOKS.get() > deliveredBefore, "the receiver got the replay");
        screenshot("03-job");

        // a batch: listed, opened, its bar followed to the end, its results read
        HttpResponse<String> batch = tenantA.postJson("/v1/batches", batchOf(BATCH_ITEMS));
        assertEquals(202, batch.statusCode(), batch.body());
        String batchId = ApiClient.json(batch).path("id").asText();
        browser.click("#nav a[data-view='batches']");
        String card = "li[data-batch-id='" + batchId + "'] a";
        browser.waitFor("the batch in the list", "document.querySelector(\"" + card + "\")");
        browser.click(card);
        browser.waitFor(
                "the batch's bar to reach 100%",
                "document.getElementById('batch-progress').dataset.percent"
                        + " === '100' && document.getElementById('batch-progress').value"
                        + " === document.getElementById('batch-progress').max");
        assertEquals(
                BATCH_ITEMS,
                browser.eval("document.getElementById('batch-progress').max").asInt());
        browser.click("#batch-results");
        browser.waitFor("the results", "!document.getElementById('batch-results-text').hidden");
        assertEquals(BATCH_ITEMS, browser.text("#batch-results-text").strip().split("\n").length);
        screenshot("04-batch");

        // the month's usage: the chart's days add up to what the API reports
        browser.click("#nav a[data-view='usage']");
        browser.waitFor("the day chart", "document.getElementById('day-chart').dataset.total");
        JsonNode usage = ApiClient.json(tenantA.get("/v1/usage"));
        long tokens =
                usage.path("inputTokens").asLong() + usage.path("outputTokens").asLong();
        assertTrue(tokens > 0, usage.toString());
        assertEquals(
                Long.toString(tokens),
                browser.eval("document.getElementById('day-chart').dataset.total")
                        .asText(),
                "the chart's total");
        assertEquals(BATCH_ITEMS + 1, usage.path("jobs").path("succeeded").asInt(), usage.toString());
        assertEquals(
                usage.path("byModel").size(),
                browser.eval("document.querySelectorAll('#models-table tbody tr').length")
                        .asInt());
        screenshot("05-usage");

        // on a phone's screen the page fits its width
        browser.viewport(390, 844, true);
        browser.click("#nav a[data-view='jobs']");
        browser.waitFor("the jobs list", "document.querySelector(\"" + row + "\")");
        assertTrue(
                browser.eval("document.documentElement.scrollWidth <= window.innerWidth")
                        .asBoolean(),
                "nothing wider than the phone's screen but the tables' own scrolling");
        screenshot("06-jobs-phone");
        browser.viewport(1200, 800, false);
        assertNoComplaints();
    }

    @Test
    void anotherTenantSeesNoneOfItAndAWrongKeyShowsTheApisProblem() {
        ApiClient tenantA = new ApiClient(stack.apiUrl(), stack.createTenant("console-a2-" + UUID.randomUUID()));
        String keyB = stack.createTenant("console-b-" + UUID.randomUUID());
        String jobOfA =
                tenantA.submit("A job that only tenant A may see").path("id").asText();
        tenantA.awaitTerminal(jobOfA, Duration.ofSeconds(30));

        signIn(keyB);
        browser.waitFor("B's empty jobs list", "!document.getElementById('jobs-empty').hidden");
        assertEquals(
                0,
                browser.eval("document.querySelectorAll('#jobs-table tbody tr').length")
                        .asInt());
        browser.click("#nav a[data-view='batches']");
        browser.waitFor("B's empty batches", "!document.getElementById('batches-empty').hidden");
        browser.click("#nav a[data-view='usage']");
        browser.waitFor("B's usage", "document.getElementById('day-chart').dataset.total === '0'");
        assertTrue(browser.visible("#models-empty"));
        // A's job by its id: the API's 404, as for a job that does not exist
        browser.eval("location.hash = '#job/" + jobOfA + "'");
        browser.waitFor(
                "the not-found problem",
                "document.getElementById('problem').dataset.status === '404'"
                        + " && !document.getElementById('problem').hidden");
        assertTrue(browser.text("#problem").contains(jobOfA), browser.text("#problem"));
        screenshot("07-other-tenant");

        browser.click("#forget-key");
        browser.waitFor("the key form", "!document.getElementById('key-view').hidden");
        signIn("bjk_" + "x".repeat(43));
        browser.waitFor(
                "the 401 problem",
                "document.getElementById('problem').dataset.status === '401'"
                        + " && !document.getElementById('problem').hidden");
        HttpResponse<String> refused = tenantA.withKey("bjk_" + "x".repeat(43)).get("/v1/jobs");
        assertEquals(401, refused.statusCode());
        String detail = ApiClient.json(refused).path("detail").asText();
        assertTrue(browser.text("#problem").contains(detail), "the API's own words: " + browser.text("#problem"));
        assertTrue(browser.visible("#key-view"), "asked for another key");
        assertEquals(
                null,
                browser.eval("sessionStorage.getItem('bedrock-jobs.apiKey')").textValue(),
                "a refused key is not kept");
        screenshot("08-wrong-key");
        assertNoComplaints();
    }

    private static String batchOf(int n) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < n; i++) {
            items.append(i == 0 ? "" : ",")
                    .append("{\"customId\": \"file-")
                    .append(i)
                    .append("\", \"prompt\": \"Review file ")
                    .append(i)
                    .append(' ')
                    .append(UUID.randomUUID())
                    .append("\"}");
        }
        return "{\"items\": [" + items + "]}";
    }
}
