package io.bolmo4j.cpu;

import java.util.List;

/**
 * Products {@code x · Wᵀ} of weight matrices that share their input (q, k and v; gate and up; the mLSTM's six
 * projections), computed in one parallel loop over all their rows: one hand-over to the threads, and no fused copy of
 * the weights.
 */
final class Products {
    /** What {@link #read} summed, kept where the JIT cannot drop it. */
    private static volatile int checksum;

    private Products() {}

    /** {@code x [tokens, cols]} times each of {@code ws} ({@code [rows_i, cols]}): outputs {@code [tokens, rows_i]}. */
    static float[][] of(Parallel parallel, float[] x, int tokens, Matrix... ws) {
        int cols = ws[0].cols();
        int[] start = new int[ws.length + 1];
        float[][] ys = new float[ws.length][];
        float[] split = null;
        long work = 0;
        for (int i = 0; i < ws.length; i++) {
            if (ws[i].cols() != cols) {
                throw new IllegalArgumentException(ws[i] + " does not take the " + cols + " inputs of " + ws[0]);
            }
            if (ws[i].type().size() == 2 && split == null) {
                split = Kernels.split(x, tokens, cols);
            }
            ys[i] = new float[tokens * ws[i].rows()];
            start[i + 1] = start[i] + ws[i].rows();
            work += ws[i].bytes() * tokens;
        }
        float[] pairsSplit = split;
        parallel.forRange(start[ws.length], work, (from, to) -> {
            for (int i = 0; i < ws.length; i++) {
                int lo = Math.max(from, start[i]) - start[i], hi = Math.min(to, start[i + 1]) - start[i];
                if (lo < hi) {
                    Kernels.times(ws[i], ws[i].type().size() == 2 ? pairsSplit : x, tokens, ys[i], lo, hi);
                }
            }
        });
        return ys;
    }

    /**
     * Reads every value of {@code ws} once on the engine's threads, split by rows as products are, and returns the
     * bytes read: timed, the memory bandwidth that bounds a decoding step reading these weights.
     */
    static long read(Parallel parallel, List<Matrix> ws) {
        long bytes = 0;
        int[] sink = new int[1];
        for (Matrix w : ws) {
            parallel.forRange(w.rows(), w.bytes(), (from, to) -> {
                int s = Kernels.read(w, from, to);
                synchronized (sink) {
                    sink[0] += s;
                }
            });
            bytes += w.bytes();
        }
        checksum = sink[0]; // used, so the reads stay
        return bytes;
    }

    /** {@code x [tokens, cols] · Wᵀ}: {@code [tokens, rows]}. */
    static float[] of(Parallel parallel, float[] x, int tokens, Matrix w) {
        return of(parallel, x, tokens, new Matrix[] {w})[0];
    }

    /** {@code x · Wᵀ + b}. */
    static float[] of(Parallel parallel, float[] x, int tokens, Matrix w, float[] bias) {
        float[] y = of(parallel, x, tokens, w);
        Vectors.addToRows(y, bias);
        return y;
    }
}
