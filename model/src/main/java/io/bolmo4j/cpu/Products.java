package io.bolmo4j.cpu;

/**
 * Products {@code x · Wᵀ} of weight matrices that share their input (q, k and v; gate and up; the mLSTM's six
 * projections), computed in one parallel loop over all their rows: one hand-over to the threads, and no fused copy of
 * the weights.
 */
final class Products {
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

    /** {@code x [tokens, cols] · Wᵀ}: {@code [tokens, rows]}. */
    static float[] of(Parallel parallel, float[] x, int tokens, Matrix w) {
        return of(parallel, x, tokens, new Matrix[] {w})[0];
    }

    /** {@code x · Wᵀ + b}. */
    static float[] of(Parallel parallel, float[] x, int tokens, Matrix w, float[] bias) {
        float[] y = of(parallel, x, tokens, w);
        for (int t = 0; t < tokens; t++) {
            int o = t * bias.length;
            for (int r = 0; r < bias.length; r++) {
                y[o + r] += bias[r];
            }
        }
        return y;
    }
}
