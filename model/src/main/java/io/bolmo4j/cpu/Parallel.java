package io.bolmo4j.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a loop over the engine's threads: the caller computes the first part, daemon pool threads the others. Small
 * loops stay on the calling thread, where handing work over would cost more than it saves. Each index is computed by
 * one thread in a fixed order, so results do not depend on the thread count.
 */
final class Parallel {
    /** Work (bytes of weights read, or a comparable count) below which a loop runs on the calling thread. */
    static final long MIN_WORK = 1L << 18;
    private static final Map<Integer, Parallel> POOLS = new ConcurrentHashMap<>();

    private final int threads;
    private final ExecutorService workers;

    private Parallel(int threads) {
        this.threads = threads;
        this.workers = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "bolmo4j-cpu");
            t.setDaemon(true);
            return t;
        });
    }

    /** The shared pool of {@code threads} threads (the caller included). */
    static Parallel of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        return POOLS.computeIfAbsent(threads, Parallel::new);
    }

    int threads() {
        return threads;
    }

    /** A loop body over indices {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over {@code [0, n)} in contiguous parts, one per thread when {@code work} is worth it. */
    void forRange(int n, long work, Range body) {
        int parts = work < MIN_WORK ? 1 : Math.min(threads, n);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        List<Future<?>> others = new ArrayList<>(parts - 1);
        for (int k = 1; k < parts; k++) {
            int from = (int) ((long) n * k / parts), to = (int) ((long) n * (k + 1) / parts);
            others.add(workers.submit(() -> body.run(from, to)));
        }
        body.run(0, n / parts);
        for (Future<?> f : others) {
            join(f);
        }
    }

    private static void join(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
