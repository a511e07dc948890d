package dev.bedrockjobs.core.adapter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs independent AWS calls side by side (bulk writes and sends of a batch), on one small pool per container:
 * a few calls in flight hide most of the round-trip time without hammering the service.
 */
final class Parallel {
    private static final int WIDTH = 8;
    private static final ExecutorService POOL = Executors.newFixedThreadPool(WIDTH, r -> {
        Thread t = new Thread(r, "aws-parallel");
        t.setDaemon(true);
        return t;
    });

    private Parallel() {}

    static <T> void run(List<T> parts, Consumer<T> work) {
        if (parts.size() <= 1) {
            parts.forEach(work);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts.size());
        for (T part : parts) {
            futures.add(POOL.submit(() -> work.accept(part)));
        }
        RuntimeException failure = null;
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Backs off between retries of throttled bulk calls: 20, 40, 80 ms ... */
    static void pause(int attempt) {
        try {
            Thread.sleep(20L << Math.min(attempt, 6));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
