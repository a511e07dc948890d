package dev.bedrockjobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bedrock-jobs cost}: the calculator on the command line, offline. */
class CostCommandTest {

    @Test
    void theArticlesExampleCostsAboutFourCentsAJobWithEveryComponentShown(@TempDir Path tmp) {
        CommandLineTest.Run run = CommandLineTest.run(
                tmp, Map.of(), "cost", "--requests", "1000", "--tier", "standard", "--in", "3000", "--out", "2000");
        assertEquals(0, run.exit(), run.err());
        for (String component : new String[] {
            "API Gateway HTTP API",
            "Lambda authorizer",
            "Lambda submit",
            "Lambda worker",
            "SQS jobs queue",
            "Step Functions Express",
            "DynamoDB writes",
            "DynamoDB reads",
            "Bedrock tokens",
            "infrastructure",
            "total",
            "g5.xlarge"
        }) {
            assertTrue(run.out().contains(component), component + " missing in\n" + run.out());
        }
        assertTrue(run.out().startsWith("1,000 standard jobs (us.anthropic.claude-sonnet-4-5"), run.out());
        assertTrue(run.out().contains("$42.9000"), "1,000 x $0.0429 of tokens:\n" + run.out());
    }

    @Test
    void jsonAddsUpAndPollsAndWebhooksShowTheirFunctions(@TempDir Path tmp) throws Exception {
        CommandLineTest.Run run =
                CommandLineTest.run(tmp, Map.of(), "cost", "--requests", "10", "--polls", "3", "--webhook", "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode e = Json.parse(run.out());
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode line : e.path("lines")) {
            sum = sum.add(new BigDecimal(line.path("usdPerJob").asText()));
        }
        assertEquals(0, sum.compareTo(new BigDecimal(e.path("totalUsdPerJob").asText())));
        assertEquals(
                0,
                new BigDecimal(e.path("totalUsdPerJob").asText())
                        .multiply(BigDecimal.TEN)
                        .compareTo(new BigDecimal(e.path("totalUsd").asText())));
        assertTrue(run.out().contains("Lambda status") && run.out().contains("Lambda webhook"), run.out());
        assertTrue(e.path("breakEven").size() >= 1);
    }

    @Test
    void badInputIsAUsageErrorNamingWhatIsKnown(@TempDir Path tmp) {
        CommandLineTest.Run region = CommandLineTest.run(tmp, Map.of(), "cost", "--region", "mars-1");
        assertEquals(2, region.exit());
        assertTrue(region.err().contains("us-east-1"), region.err());
        assertEquals(
                2, CommandLineTest.run(tmp, Map.of(), "cost", "--tier", "huge").exit());
        assertEquals(
                2, CommandLineTest.run(tmp, Map.of(), "cost", "--requests", "0").exit());
        assertEquals(
                2,
                CommandLineTest.run(tmp, Map.of(), "cost", "--model-id", "acme.unknown-v1:0")
                        .exit());
    }
}
