package dev.bedrockjobs.local.emulators;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the repository root, the folder that holds the root {@code package.json} and the {@code node_modules}
 * installed from it by {@code npm ci} (dynalite, asl-validator).
 *
 * <p>The system property {@value #PROPERTY} wins (Maven's surefire sets it); otherwise the working directory and
 * its parents are searched, so that a launcher started from any module folder still finds the root.
 */
public final class RepoRoot {

    /** System property naming the repository root explicitly. */
    public static final String PROPERTY = "bedrockjobs.root";

    private RepoRoot() {}

    /** The repository root, or empty when neither the property nor the working directory lead to one. */
    public static Optional<Path> find() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path root = Path.of(configured).toAbsolutePath().normalize();
            return Files.isDirectory(root) ? Optional.of(root) : Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("package.json")) && Files.isDirectory(dir.resolve("node_modules"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** The repository root, or an exception telling how to point at it. */
    public static Path require() {
        return find().orElseThrow(() -> new IllegalStateException(
                "Cannot find the bedrock-jobs repository root: set -D" + PROPERTY + "=<repo root> or run from inside "
                        + "the repository after `npm ci` (a folder holding package.json and node_modules)."));
    }

    /**
     * A file installed by {@code npm ci} under the root's {@code node_modules}, e.g. {@code dynalite/cli.js}.
     *
     * @throws IllegalStateException naming the missing file and the command that installs it
     */
    public static Path nodeModule(String relativePath) {
        Path root = require();
        Path file = root.resolve("node_modules").resolve(relativePath);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("Missing " + file + ": run `npm ci` in " + root
                    + " to install the Node tools listed in package.json.");
        }
        return file;
    }
}
