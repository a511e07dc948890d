package dev.bedrockjobs.local.runtime.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one invocation of a function's bundle in a JVM of its own, as the java21 managed runtime would, through the
 * harness of {@code bench/lambda-runtime}: the runtime's default JVM flags, a classpath of the bundle followed by the
 * harness and what the runtime brings, and an environment of the function's variables only (what the local stack
 * resolved from the template, with the platform's own): nothing of this process's environment leaks in.
 */
final class LambdaRuntimeProcess {
    /**
     * The java21 runtime's defaults (Lambda docs, "Customize Java runtime startup behavior"): C1 only, serial GC,
     * class data sharing; heap as Lambda sizes it for 1,024 MB.
     */
    static final List<String> JVM_FLAGS = List.of(
            "-XX:+TieredCompilation",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xshare:auto",
            "-Xmx870m",
            "-Djava.net.preferIPv4Stack=true");

    private static final long TIMEOUT_SECONDS = 120;

    /** What the invocation printed, and when this process started it (epoch ms). */
    record Invocation(int exit, String stdout, String stderr, long spawnedAt) {
        /** The rest of the first stdout line that starts with {@code prefix}. */
        Optional<String> line(String prefix) {
            return stdout.lines()
                    .filter(l -> l.startsWith(prefix))
                    .map(l -> l.substring(prefix.length()))
                    .findFirst();
        }
    }

    private final String harnessClasspath;
    private final Path work;

    /**
     * @param harnessClasspath the harness and the runtime's own libraries
     * @param work             a folder for the invocations' output
     */
    LambdaRuntimeProcess(String harnessClasspath, Path work) {
        this.harnessClasspath = harnessClasspath;
        this.work = work;
    }

    /**
     * @param bundle      the function's code: the folder or jar Lambda would unpack to its task root ({@code ""}
     *                    for a handler that is on the harness classpath)
     * @param handler     the template's {@code Handler}
     * @param environment the function's variables
     * @param mode        {@code plain}, or {@code primed} to run the SnapStart hooks first
     */
    Invocation invoke(String bundle, String handler, Map<String, String> environment, Path event, String mode)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(bundle.isEmpty() ? harnessClasspath : bundle + File.pathSeparator + harnessClasspath);
        cmd.add("LambdaRuntimeHarness");
        cmd.add(handler);
        cmd.add(event.toString());
        cmd.add(mode);
        Path out = work.resolve("invocation-stdout.log");
        Path err = work.resolve("invocation-stderr.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().putAll(environment);
        // Lambda's own variables for the runtime (Lambda docs, "Defined runtime environment variables")
        pb.environment().put("_HANDLER", handler);
        pb.environment().put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        // The template's LoggingConfig (LogFormat: JSON) becomes this variable in Lambda, and its metrics are on there:
        // the local stack turns them off only to keep its own console readable, but a cold start pays for both.
        pb.environment().put("AWS_LAMBDA_LOG_FORMAT", "JSON");
        pb.environment().put("POWERTOOLS_METRICS_DISABLED", "false");
        if (!bundle.isEmpty()) {
            pb.environment().put("LAMBDA_TASK_ROOT", bundle);
        }
        long spawnedAt = System.currentTimeMillis();
        Process p = pb.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new Invocation(
                    -1,
                    Files.readString(out),
                    Files.readString(err) + "\n(killed after " + TIMEOUT_SECONDS + " s)",
                    spawnedAt);
        }
        return new Invocation(p.exitValue(), Files.readString(out), Files.readString(err), spawnedAt);
    }
}
