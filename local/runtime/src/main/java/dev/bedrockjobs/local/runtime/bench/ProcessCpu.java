package dev.bedrockjobs.local.runtime.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time used so far by a process and its descendants (the stack's JVM and dynalite), read from {@code /proc}.
 * Benchmarks report it per job because, unlike a rate, it hardly depends on what else the machine is running.
 */
public final class ProcessCpu {
    private ProcessCpu() {}

    /** User + system CPU seconds of the process and every descendant; 0 where {@code /proc} cannot be read. */
    public static double secondsWithDescendants(long pid) {
        if (pid <= 0) {
            return 0;
        }
        double total = seconds(pid);
        for (ProcessHandle child :
                ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
            total += seconds(child.pid());
        }
        return total;
    }

    private static double seconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime, in clock ticks (100 per second on Linux)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
