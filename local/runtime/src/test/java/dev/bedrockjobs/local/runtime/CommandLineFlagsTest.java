package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineFlagsTest {
    private static final Path ROOT = Path.of("/repo");
    private static final Path CWD = Path.of("/home/me/work");

    private static LocalOptions parse(String... args) {
        return CommandLineFlags.parse(args, ROOT, CWD);
    }

    @Test
    void defaultsFollowTheDesign() {
        LocalOptions o = parse();
        assertEquals(8080, o.port());
        assertEquals(ROOT.resolve(".local"), o.dataDirectory(), "the default data folder sits at the repository root");
        assertEquals(0, o.modelLatencyMillis());
        assertEquals(0.0, o.modelTokensPerSecond(), "streams are unpaced unless asked");
        assertEquals(0.0, o.throttleRate());
        assertEquals(0.0, o.failureRate());
        assertEquals(LocalOptions.BedrockMode.SIM, o.bedrock());
        assertTrue(o.allowLoopbackWebhooks());
        assertTrue(o.eventSourcesEnabled());
        assertTrue(o.iamEnforced(), "calls are held to the template's policies unless turned off");
        assertEquals(Map.of(), o.parameterOverrides());
    }

    @Test
    void everyFlagInBothSpellings() {
        LocalOptions o = parse(
                "--port",
                "9090",
                "--data=state",
                "--model-latency-ms",
                "250",
                "--model-tokens-per-second=40",
                "--throttle-rate=0.3",
                "--failure-rate",
                "0.05",
                "--bedrock",
                "aws",
                "--no-allow-loopback-webhooks",
                "--event-sources=disabled",
                "--iam",
                "off",
                "--param",
                "WorkerBatchSize=10",
                "--param=WorkerMaxConcurrency=20");
        assertEquals(9090, o.port());
        assertEquals(CWD.resolve("state"), o.dataDirectory(), "an explicit relative folder is the caller's");
        assertEquals(250, o.modelLatencyMillis());
        assertEquals(40.0, o.modelTokensPerSecond());
        assertEquals(0.3, o.throttleRate());
        assertEquals(0.05, o.failureRate());
        assertEquals(LocalOptions.BedrockMode.AWS, o.bedrock());
        assertFalse(o.allowLoopbackWebhooks());
        assertFalse(o.eventSourcesEnabled());
        assertFalse(o.iamEnforced());
        assertTrue(parse("--iam=on").iamEnforced());
        assertEquals(Map.of("WorkerBatchSize", "10", "WorkerMaxConcurrency", "20"), o.parameterOverrides());
        assertTrue(parse("--allow-loopback-webhooks").allowLoopbackWebhooks());
        assertFalse(parse("--allow-loopback-webhooks=false").allowLoopbackWebhooks());
    }

    @Test
    void mistakesAreReportedNotGuessed() {
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--prot", "1"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--port"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--port", "eighty"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--port", "70000"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--throttle-rate", "1.5"));
        assertThrows(
                CommandLineFlags.UsageException.class, () -> parse("--throttle-rate", "0.6", "--failure-rate", "0.6"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--model-tokens-per-second", "-5"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--bedrock", "openai"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--param", "NoValue"));
        assertThrows(CommandLineFlags.UsageException.class, () -> parse("--iam", "maybe"));
        assertThrows(CommandLineFlags.HelpRequested.class, () -> parse("--help"));
    }
}
