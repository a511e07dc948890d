package dev.bedrockjobs.local.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bedrockjobs.core.cost.InfrastructurePrices;
import dev.bedrockjobs.local.emulators.RepoRoot;
import dev.bedrockjobs.local.emulators.template.SamTemplate;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cost model bills each function at the memory template.yaml gives it, on the architecture it runs on. */
class CostModelTemplateTest {
    private final SamTemplate template = SamTemplate.load(RepoRoot.require().resolve("template.yaml"));

    @Test
    void functionMemoryInTheCostModelIsTheTemplates() {
        InfrastructurePrices prices = InfrastructurePrices.load();
        for (String function : InfrastructurePrices.FUNCTIONS) {
            String logicalId = Character.toUpperCase(function.charAt(0)) + function.substring(1) + "Function";
            Map<String, Object> props = template.functionProperties(logicalId);
            assertEquals(
                    String.valueOf(prices.function(function).memoryMb()),
                    String.valueOf(props.get("MemorySize")),
                    logicalId + " MemorySize");
            assertTrue(
                    String.valueOf(props.get("Architectures"))
                            .toLowerCase(Locale.ROOT)
                            .contains("arm64"),
                    logicalId + " is priced at the Arm rate");
        }
    }
}
