package dev.bedrockjobs.local.emulators.dynamo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Drains one output stream of a child process into a logger, line by line, and remembers the last lines so a
 * start failure can quote them. Draining matters beyond logging: a child blocks once its pipe buffer is full.
 */
final class ProcessOutputForwarder implements Runnable {

    private static final int REMEMBERED_LINES = 20;

    private final InputStream stream;
    private final System.Logger logger;
    private final System.Logger.Level level;
    private final String name;
    private final Deque<String> recent = new ArrayDeque<>();

    private ProcessOutputForwarder(InputStream stream, String name, System.Logger logger, System.Logger.Level level) {
        this.stream = stream;
        this.name = name;
        this.logger = logger;
        this.level = level;
    }

    static ProcessOutputForwarder start(
            InputStream stream, String name, System.Logger logger, System.Logger.Level level) {
        ProcessOutputForwarder forwarder = new ProcessOutputForwarder(stream, name, logger, level);
        Thread thread = new Thread(forwarder, name);
        thread.setDaemon(true);
        thread.start();
        return forwarder;
    }

    @Override
    public void run() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                remember(line);
                logger.log(level, "[{0}] {1}", name, line);
            }
        } catch (IOException streamClosedWithTheProcess) {
            // the child is gone; nothing more to forward
        }
    }

    private synchronized void remember(String line) {
        if (recent.size() == REMEMBERED_LINES) {
            recent.removeFirst();
        }
        recent.addLast(line);
    }

    synchronized String recentLines() {
        return recent.isEmpty() ? "(nothing)" : String.join("\n", recent);
    }
}
