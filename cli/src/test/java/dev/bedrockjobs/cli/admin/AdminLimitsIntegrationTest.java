package dev.bedrockjobs.cli.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.cli.CliContext;
import dev.bedrockjobs.cli.Main;
import dev.bedrockjobs.core.adapter.DynamoTenantLimitOverrides;
import dev.bedrockjobs.core.adapter.DynamoTenants;
import dev.bedrockjobs.core.domain.TenantLimits;
import dev.bedrockjobs.local.emulators.fixture.SharedEmulators;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bedrock-jobs admin limits ...} run in-process against a jobs table in dynalite, as --table and as --local. */
class AdminLimitsIntegrationTest {
    @TempDir
    Path dir;

    private String table;
    private DynamoTenants tenants;
    private DynamoTenantLimitOverrides overrides;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void tableWithOneTenant() {
        table = SharedEmulators.newJobsTable("limits");
        tenants = new DynamoTenants(SharedEmulators.dynamoClient(), table);
        overrides = new DynamoTenantLimitOverrides(SharedEmulators.dynamoClient(), table);
        assertEquals(
                0,
                cli("admin", "keys", "create", "--tenant", "acme", "--table", table)
                        .exit());
    }

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

    private static String line(String out, String limit) {
        return out.lines()
                .filter(l -> l.startsWith(limit + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError(limit + " in: " + out));
    }

    @Test
    void setWritesTheTenantItemAndShowSaysWhereEachValueComesFrom() {
        Run shown = cli("admin", "limits", "show", "--tenant", "acme", "--table", table);
        assertEquals(0, shown.exit(), shown.err());
        assertTrue(
                line(shown.out(), "rate-limit")
                        .contains("deployment default (template parameter " + "RateLimitPerSecond)"),
                shown.out());

        Run set = cli(
                "admin",
                "limits",
                "set",
                "--tenant",
                "acme",
                "--rate-limit",
                "5",
                "--max-active-jobs",
                "0",
                "--monthly-cost-budget-usd",
                "12.50",
                "--cache-responses",
                "true",
                "--table",
                table);
        assertEquals(0, set.exit(), set.err());
        assertEquals(
                new TenantLimits.Overrides(5L, 0L, null, new BigDecimal("12.5"), true),
                overrides.findLimitOverrides("acme"));
        assertTrue(line(set.out(), "rate-limit").contains("5 (tenant)"), set.out());
        assertTrue(line(set.out(), "max-active-jobs").contains("0 (tenant), no limit"), set.out());
        assertTrue(line(set.out(), "monthly-token-budget").contains("MonthlyTokenBudget"), set.out());

        Run cleared = cli(
                "admin",
                "limits",
                "set",
                "--tenant",
                "acme",
                "--clear",
                "cache-responses",
                "--clear",
                "rateLimitPerSecond",
                "--table",
                table);
        assertEquals(0, cleared.exit(), cleared.err());
        assertEquals(
                new TenantLimits.Overrides(null, 0L, null, new BigDecimal("12.5"), null),
                overrides.findLimitOverrides("acme"));
        assertTrue(line(
                        cli("admin", "limits", "show", "--tenant", "acme", "--table", table)
                                .out(),
                        "cache-responses")
                .contains("ResponseCacheDefault"));
    }

    @Test
    void aTenantWithoutKeysCannotGetLimits() {
        Run unknown = cli("admin", "limits", "set", "--tenant", "nobody", "--rate-limit", "1", "--table", table);
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("admin keys create --tenant nobody"), unknown.err());
        assertTrue(tenants.findTenant("nobody").isEmpty(), "nothing was created");
        assertEquals(
                1,
                cli("admin", "limits", "show", "--tenant", "nobody", "--table", table)
                        .exit());
    }

    @Test
    void badInputIsAUsageErrorAndWritesNothing() {
        assertEquals(
                0,
                cli("admin", "limits", "set", "--tenant", "acme", "--rate-limit", "7", "--table", table)
                        .exit());
        for (List<String> bad : List.of(
                List.of("--rate-limit", "-1"),
                List.of("--rate-limit", "1.5"),
                List.of("--max-active-jobs", "3", "--monthly-token-budget", "99999999999999999999"),
                List.of("--monthly-cost-budget-usd", "-2"),
                List.of("--cache-responses", "yes"),
                List.of("--clear", "nonsense"),
                List.of("--rate-limit", "3", "--clear", "rate-limit"),
                List.<String>of())) {
            var args = new ArrayList<>(List.of("admin", "limits", "set", "--tenant", "acme", "--table", table));
            args.addAll(bad);
            Run r = cli(args.toArray(String[]::new));
            assertEquals(2, r.exit(), bad + ": " + r.out() + r.err());
            assertTrue(!r.err().isBlank(), bad + " says why");
        }
        assertEquals(new TenantLimits.Overrides(7L, null, null, null, null), overrides.findLimitOverrides("acme"));
        assertEquals(2, cli("admin", "limits", "show", "--table", table).exit(), "--tenant is required");
    }

    @Test
    void localFindsTheTableThroughEndpointsJson() throws IOException {
        Path data = Files.createDirectories(dir.resolve(".local"));
        Files.writeString(
                data.resolve("endpoints.json"),
                "{\"dynamodb\":\"" + SharedEmulators.dynalite().endpoint() + "\",\"jobsTable\":\"" + table + "\"}\n");
        Run set = cli("admin", "limits", "set", "--tenant", "acme", "--monthly-token-budget", "1000", "--local");
        assertEquals(0, set.exit(), set.err());
        assertEquals(1000L, overrides.findLimitOverrides("acme").monthlyTokenBudget());
    }
}
