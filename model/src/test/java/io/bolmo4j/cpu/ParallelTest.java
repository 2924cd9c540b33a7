package io.bolmo4j.cpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelTest {
    private static final long BIG = Parallel.MIN_WORK;

    /** How often each index of {@code [0, n)} was run by one forRange. */
    private static AtomicIntegerArray counts(Parallel p, int n) {
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        p.forRange(n, BIG, (from, to) -> {
            for (int i = from; i < to; i++) {
                seen.incrementAndGet(i);
            }
        });
        return seen;
    }

    @Test
    void everyIndexRunsExactlyOnceWhateverTheThreadCount() throws InterruptedException {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel p = Parallel.of(threads);
            for (int n : new int[] {1, 2, 7, 1000}) {
                for (int round = 0; round < 3; round++) {
                    AtomicIntegerArray seen = counts(p, n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, seen.get(i), threads + " threads, n=" + n + ", index " + i);
                    }
                    Thread.sleep(round); // also after the workers had time to park
                }
            }
        }
    }

    @Test
    void aWorkersFailureReachesTheCallerAndThePoolKeepsWorking() {
        Parallel p = Parallel.of(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.forRange(10, BIG, (from, to) -> {
            if (from > 0) {
                throw new IllegalStateException("part from " + from);
            }
        }));
        assertEquals("part from 5", e.getMessage());
        AtomicIntegerArray seen = counts(p, 10);
        for (int i = 0; i < 10; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void callersOnSeveralThreadsEachGetTheirWholeLoop() throws Exception {
        Parallel p = Parallel.of(2);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<AtomicIntegerArray>> runs = new ArrayList<>();
            for (int c = 0; c < 200; c++) {
                runs.add(callers.submit(() -> counts(p, 513)));
            }
            for (Future<AtomicIntegerArray> r : runs) {
                AtomicIntegerArray seen = r.get();
                for (int i = 0; i < 513; i++) {
                    assertEquals(1, seen.get(i), "index " + i);
                }
            }
        } finally {
            callers.shutdownNow();
        }
    }
}
