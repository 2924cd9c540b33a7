package io.bolmo4j.cpu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over the engine's threads: the caller computes the first part, daemon worker threads the others. Small
 * loops stay on the calling thread, where handing work over would cost more than it saves. Each index is computed by
 * one thread in a fixed order, so results do not depend on the thread count.
 *
 * <p>A decoding step is dozens of loops of tens of microseconds each, so the hand-over itself must be cheap: a worker
 * spins for {@link #SPIN_NANOS} after its part before it parks (waking a parked thread costs about as much as a small
 * product), and the caller spins while it waits. One caller at a time uses the workers; a loop started while another
 * runs (another thread's) computes on its own thread.
 */
final class Parallel {
    /** Work (bytes of weights read, or a comparable count) below which a loop runs on the calling thread. */
    static final long MIN_WORK = 1L << 18;
    /** How long an idle worker keeps polling for the next part before it parks. */
    private static final long SPIN_NANOS = 200_000;
    private static final Map<Integer, Parallel> POOLS = new ConcurrentHashMap<>();

    private final int threads;
    private final Worker[] workers;
    /** Not reentrant: a loop started inside a running part (even on the caller's thread) computes on its own thread. */
    private final AtomicBoolean inUse = new AtomicBoolean();

    private Parallel(int threads) {
        this.threads = threads;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
        }
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
        if (parts <= 1 || !inUse.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            for (int k = 1; k < parts; k++) {
                workers[k - 1].start(body, (int) ((long) n * k / parts), (int) ((long) n * (k + 1) / parts));
            }
            body.run(0, n / parts);
            for (int k = 1; k < parts; k++) {
                workers[k - 1].join();
            }
        } finally {
            inUse.set(false);
        }
    }

    /** A daemon thread that runs one part at a time, handed over through volatile fields. */
    private static final class Worker implements Runnable {
        private final Thread thread;
        /** The part to run; null when idle. Set by the caller, cleared by the worker when the part is done. */
        private volatile Range body;
        /** Whether the worker is parked or about to park: the caller must wake it. */
        private volatile boolean parking;
        private int from;
        private int to;
        private Throwable failure;

        Worker() {
            thread = new Thread(this, "bolmo4j-cpu");
            thread.setDaemon(true);
            thread.start();
        }

        void start(Range part, int lo, int hi) {
            from = lo;
            to = hi;
            failure = null;
            body = part; // the volatile write publishes from, to and failure
            if (parking) {
                LockSupport.unpark(thread);
            }
        }

        void join() {
            long yieldAfter = System.nanoTime() + SPIN_NANOS;
            while (body != null) {
                if (System.nanoTime() < yieldAfter) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // a descheduled worker (a busy machine): let it run
                }
            }
            Throwable f = failure;
            if (f instanceof RuntimeException r) {
                throw r;
            }
            if (f instanceof Error e) {
                throw e;
            }
        }

        @Override
        public void run() {
            while (true) {
                Range part = next();
                try {
                    part.run(from, to);
                } catch (Throwable t) { // handed to the caller, which rethrows it
                    failure = t;
                }
                body = null; // the volatile write publishes the results
            }
        }

        private Range next() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Range part = body;
                if (part != null) {
                    return part;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parking = true;
                    if (body == null) { // checked after announcing: a start() in between sees parking and wakes us
                        LockSupport.park(this);
                    }
                    parking = false;
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                }
            }
        }
    }
}
