package io.bolmo4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.OlmoConfig;

import java.util.Arrays;
import java.util.Random;

/** The reference rates figures are quoted against, and medians of repeated runs. */
public final class Timing {
    private Timing() {}

    /** Median wall time in seconds of {@code repeats} runs after one warm-up. */
    public static double median(int repeats, Runnable r) {
        r.run();
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    /** The engine's fp32 GEMM rate on {@code n}³, GFLOP/s (median). */
    public static double gemmGflops(int n, int repeats) {
        try (NDManager m = Backend.newManager()) {
            Random r = new Random(1);
            float[] a = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextFloat();
            }
            NDArray x = Ops.floats(m, a, n, n);
            NDArray y = Ops.floats(m, a, n, n);
            double s = median(repeats, () -> {
                try (NDScope ignored = new NDScope()) {
                    // one value read back waits for the product (on a GPU too); copying all n² values out to Java
                    // took about as long as the product and halved the figure
                    x.matMul(y).sum().getFloat();
                }
            });
            return 2.0 * n * n * n / s / 1e9;
        }
    }

    /**
     * Memory copy bandwidth through the engine, GB/s of bytes read plus written: a 256 MB fp32 tensor copied into a
     * preallocated one (median). A decode step that reads B bytes of weights can take no less than B / (this / 2) s.
     */
    public static double copyGbPerSecond(int repeats) {
        long n = 64L << 20;
        try (NDManager m = Backend.newManager()) {
            NDArray src = m.ones(new Shape(n)), dst = m.zeros(new Shape(n));
            double s = median(repeats, () -> dst.set(new NDIndex(":"), src));
            return 2.0 * 4 * n / s / 1e9;
        }
    }

    /** 2·(matmul parameters) per token plus attention's 4·layers·T·d over an average context of T/2. */
    public static double forwardFlopsPerToken(OlmoConfig c, int t) {
        double d = c.hiddenSize, q = (double) c.numAttentionHeads * c.headDim, kv = (double) c.numKeyValueHeads * c.headDim;
        double matmul = c.numHiddenLayers * (d * q * 2 + 2 * d * kv + 3 * d * c.intermediateSize) + (double) c.vocabSize * d;
        double attention = c.numHiddenLayers * 2.0 * q * t; // QKᵀ and AV, each 2·(t/2)·q
        return 2 * matmul + attention;
    }
}
