package dev.bedrockjobs.local.emulators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoRootTest {

    @Test
    void findsTheNodeToolsOfTheRepository() {
        Path root = RepoRoot.require();

        assertTrue(Files.isRegularFile(root.resolve("package.json")));
        assertEquals(root.resolve("node_modules/dynalite/cli.js"), RepoRoot.nodeModule("dynalite/cli.js"));
    }

    @Test
    void aMissingNodeModuleSaysToRunNpmCi(@TempDir Path emptyRoot) {
        String previous = System.getProperty(RepoRoot.PROPERTY);
        System.setProperty(RepoRoot.PROPERTY, emptyRoot.toString());
        try {
            IllegalStateException missing =
                    assertThrows(IllegalStateException.class, () -> RepoRoot.nodeModule("dynalite/cli.js"));
            assertTrue(missing.getMessage().contains("run `npm ci`"), missing.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(RepoRoot.PROPERTY);
            } else {
                System.setProperty(RepoRoot.PROPERTY, previous);
            }
        }
    }
}
