package dev.bedrockjobs.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.Main;
import dev.bedrockjobs.core.adapter.DynamoApiKeys;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.api.ApiKeyAuthorizer;
import dev.bedrockjobs.core.domain.ApiKey;
import dev.bedrockjobs.core.domain.Tenant;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bedrock-jobs admin keys ...} run in-process against a jobs table in dynalite, as --table and as --local. */
class AdminKeysIntegrationTest {
    private static final Pattern KEY = Pattern.compile("bjk_[A-Za-z0-9_-]{43}");
    private static final Pattern WEBHOOK_SECRET = Pattern.compile("whsec_[A-Za-z0-9+/=]{44}");
    private static final Pattern KEY_ID = Pattern.compile("key_[0-9a-f]{12}");

    @TempDir
    Path dir;

    private String table;
    private DynamoTenants tenants;
    private DynamoApiKeys keys;
    private ApiKeyAuthorizer authorizer;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void emptyTable() {
        table = SharedEmulators.newJobsTable("admin");
        tenants = new DynamoTenants(SharedEmulators.dynamoClient(), table);
        keys = new DynamoApiKeys(SharedEmulators.dynamoClient(), table);
        authorizer = new ApiKeyAuthorizer(keys, tenants);
    }

    /** The CLI with the operator's AWS environment pointed at dynalite, so --table talks to it. */
    private Run cli(String... args) {
        Map<String, String> env = Map.of(
                "AWS_ENDPOINT_URL_DYNAMODB",
                SharedEmulators.dynalite().endpoint().toString(),
                "AWS_REGION",
                "us-east-1",
                "AWS_ACCESS_KEY_ID",
                "local",
                "AWS_SECRET_ACCESS_KEY",
                "local");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine(new CliContext(env, dir, false, null, Thread::sleep));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in: " + text);
        return m.group();
    }

    @Test
    void createMakesTheTenantOnceAndPrintsEachSecretOnce() {
        Run first = cli("admin", "keys", "create", "--tenant", "acme", "--name", "ci", "--table", table);
        assertEquals(0, first.exit(), first.err());
        String key = first(KEY, first.out());
        String webhookSecret = first(WEBHOOK_SECRET, first.out());
        String keyId = first(KEY_ID, first.out());

        var principal = authorizer.authorize("Bearer " + key).orElseThrow();
        assertEquals("acme", principal.tenantId());
        assertEquals(keyId, principal.keyId());
        assertEquals(
                webhookSecret,
                tenants.findTenant("acme").orElseThrow().webhookSecret(),
                "the printed secret is the one that signs the tenant's webhooks");

        Run second = cli("admin", "keys", "create", "--tenant", "acme", "--table", table);
        assertEquals(0, second.exit(), second.err());
        String secondKey = first(KEY, second.out());
        assertNotEquals(key, secondKey);
        assertFalse(WEBHOOK_SECRET.matcher(second.out()).find(), "an existing tenant's secret is never shown again");
        assertEquals(webhookSecret, tenants.findTenant("acme").orElseThrow().webhookSecret(), "and not changed");
        assertTrue(authorizer.authorize("Bearer " + secondKey).isPresent());
        assertTrue(authorizer.authorize("Bearer " + key).isPresent(), "the first key still works");
    }

    @Test
    void listShowsKeyIdsButNeverSecretsOrHashes() {
        String acmeKey = first(
                KEY,
                cli("admin", "keys", "create", "--tenant", "acme", "--name", "ci", "--table", table)
                        .out());
        String otherKey = first(
                KEY,
                cli("admin", "keys", "create", "--tenant", "other", "--table", table)
                        .out());

        Run all = cli("admin", "keys", "list", "--table", table);
        assertEquals(0, all.exit(), all.err());
        List<String> lines = all.out().lines().toList();
        assertEquals(3, lines.size(), all.out());
        assertTrue(lines.get(0).startsWith("KEY ID"));
        assertTrue(all.out().contains(ApiKey.idFor(ApiKey.hash(acmeKey)))
                && all.out().contains("ci"));
        assertTrue(all.out().contains(ApiKey.idFor(ApiKey.hash(otherKey))));
        for (String secret : List.of(acmeKey, otherKey)) {
            assertFalse(all.out().contains(secret));
            assertFalse(all.out().contains(ApiKey.hash(secret).substring(12)), "no more of a hash than the id");
        }
        assertFalse(all.out().contains("whsec_"));

        Run acme = cli("admin", "keys", "list", "--tenant", "acme", "--table", table);
        assertEquals(2, acme.out().lines().count(), acme.out());
        assertTrue(acme.out().contains("acme") && !acme.out().contains("other"));
    }

    @Test
    void disableStopsTheKeyAndOnlyThatKey() {
        Run created = cli("admin", "keys", "create", "--tenant", "acme", "--table", table);
        String key = first(KEY, created.out());
        String keyId = first(KEY_ID, created.out());
        String otherKey = first(
                KEY,
                cli("admin", "keys", "create", "--tenant", "acme", "--table", table)
                        .out());

        Run disabled = cli("admin", "keys", "disable", keyId, "--table", table);
        assertEquals(0, disabled.exit(), disabled.err());
        assertTrue(disabled.out().contains(keyId));
        assertTrue(authorizer.authorize("Bearer " + key).isEmpty());
        assertTrue(authorizer.authorize("Bearer " + otherKey).isPresent());
        assertTrue(cli("admin", "keys", "list", "--table", table).out().contains("disabled"));

        Run unknown = cli("admin", "keys", "disable", "key_000000000000", "--table", table);
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("no key key_000000000000"), unknown.err());
        Run malformed = cli("admin", "keys", "disable", key, "--table", table);
        assertEquals(2, malformed.exit(), "a secret is not a key id");
        assertFalse(malformed.err().contains(key), "and is not echoed back");
    }

    @Test
    void rotateWebhookSecretReplacesItOnce() {
        String old = first(
                WEBHOOK_SECRET,
                cli("admin", "keys", "create", "--tenant", "acme", "--table", table)
                        .out());
        Run rotated = cli("admin", "keys", "rotate-webhook-secret", "--tenant", "acme", "--table", table);
        assertEquals(0, rotated.exit(), rotated.err());
        String fresh = first(WEBHOOK_SECRET, rotated.out());
        assertNotEquals(old, fresh);
        assertEquals(fresh, tenants.findTenant("acme").orElseThrow().webhookSecret());

        Run unknown = cli("admin", "keys", "rotate-webhook-secret", "--tenant", "nobody", "--table", table);
        assertEquals(1, unknown.exit());
        assertTrue(tenants.findTenant("nobody").isEmpty(), "rotating does not create a tenant");
    }

    @Test
    void theReplacedWebhookSecretKeepsSigningForTheGracePeriodTheOperatorChose() {
        String old = first(
                WEBHOOK_SECRET,
                cli("admin", "keys", "create", "--tenant", "rotor", "--table", table)
                        .out());
        Run rotated = cli("admin", "keys", "rotate-webhook-secret", "--tenant", "rotor", "--table", table);
        assertEquals(0, rotated.exit(), rotated.err());
        String fresh = first(WEBHOOK_SECRET, rotated.out());
        dev.bedrockjobs.core.domain.Tenant t = tenants.findTenant("rotor").orElseThrow();
        java.time.Instant now = java.time.Instant.now();
        assertEquals(java.util.List.of(fresh, old), t.signingSecrets(now), "both sign, the new one first");
        assertEquals(
                java.util.List.of(fresh),
                t.signingSecrets(now.plus(java.time.Duration.ofHours(24))),
                "the default grace is a day");

        Run now0 = cli(
                "admin", "keys", "rotate-webhook-secret", "--tenant", "rotor", "--grace-hours", "0", "--table", table);
        assertEquals(0, now0.exit(), now0.err());
        String newest = first(WEBHOOK_SECRET, now0.out());
        assertEquals(
                java.util.List.of(newest),
                tenants.findTenant("rotor")
                        .orElseThrow()
                        .signingSecrets(java.time.Instant.now().plusMillis(1)),
                "no grace: only the new secret signs");

        Run tooLong = cli(
                "admin",
                "keys",
                "rotate-webhook-secret",
                "--tenant",
                "rotor",
                "--grace-hours",
                "721",
                "--table",
                table);
        assertEquals(2, tooLong.exit(), tooLong.out());
        assertEquals(newest, tenants.findTenant("rotor").orElseThrow().webhookSecret(), "and changes nothing");
    }

    @Test
    void localFindsTheTableThroughEndpointsJson() throws IOException {
        Path data = Files.createDirectories(dir.resolve("stack-data"));
        Files.writeString(
                data.resolve("endpoints.json"),
                "{\"api\":\"http://127.0.0.1:1\",\"dynamodb\":\""
                        + SharedEmulators.dynalite().endpoint() + "\",\"jobsTable\":\"" + table + "\"}\n");
        Run created = cli("admin", "keys", "create", "--tenant", "acme", "--local", "stack-data");
        assertEquals(0, created.exit(), created.err());
        assertEquals(
                "acme",
                authorizer
                        .authorize("Bearer " + first(KEY, created.out()))
                        .orElseThrow()
                        .tenantId());
        assertTrue(cli("admin", "keys", "list", "--local", "stack-data").out().contains("acme"));

        Run noStack = cli("admin", "keys", "list", "--local");
        assertEquals(2, noStack.exit());
        assertTrue(noStack.err().contains(".local") && noStack.err().contains("endpoints.json"), noStack.err());
    }

    @Test
    void badInputIsAUsageErrorAndChangesNothing() {
        assertEquals(2, cli("admin", "keys", "list").exit(), "--table or --local is required");
        assertEquals(
                2, cli("admin", "keys", "list", "--table", table, "--local").exit(), "not both");
        assertEquals(2, cli("admin", "keys", "create", "--table", table).exit(), "--tenant is required");
        for (String bad : List.of("a#b", "has space", "-x", "x".repeat(129))) {
            Run r = cli("admin", "keys", "create", "--tenant", bad, "--table", table);
            assertEquals(2, r.exit(), bad);
        }
        assertEquals(List.of(), keys.listKeys(null));
        assertTrue(tenants.findTenant("a#b").isEmpty());
        Run noTable = cli("admin", "keys", "list", "--table", "no-such-table");
        assertEquals(2, noTable.exit());
        assertTrue(noTable.err().contains("no-such-table"), noTable.err());
    }

    @Test
    void disabledTenantsStayDisabledWhenKeysAreAdded() {
        tenants.createTenant(new Tenant("gone", "gone", ApiKey.newWebhookSecret(), true, java.time.Instant.now()));
        String key = first(
                KEY,
                cli("admin", "keys", "create", "--tenant", "gone", "--table", table)
                        .out());
        assertTrue(authorizer.authorize("Bearer " + key).isEmpty(), "a key does not revive a disabled tenant");
    }
}
