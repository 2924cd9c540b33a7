package io.bolmo4j.cpu;

/**
 * Per-position maths on activations {@code [tokens, n]} held in flat float arrays, in the DJL path's order of
 * operations (divide by the root, then scale), so the two engines round alike.
 */
final class Vectors {
    private Vectors() {}

    /** RMSNorm of each row of {@code x [rows, n]}: {@code x / sqrt(mean(x²) + eps) · w}, into a new array. */
    static float[] rmsNorm(float[] x, int n, float[] w, float eps) {
        float[] out = new float[x.length];
        for (int o = 0; o < x.length; o += n) {
            float root = (float) Math.sqrt(Kernels.dot(x, o, x, o, n) / n + eps);
            for (int i = 0; i < n; i++) {
                out[o + i] = x[o + i] / root * w[i];
            }
        }
        return out;
    }

    /** {@code x += RMSNorm(h) · w}, row by row: a post-norm residual. */
    static void addNormed(float[] x, float[] h, int n, float[] w, float eps) {
        add(x, rmsNorm(h, n, w, eps));
    }

    /** {@code x += h}. */
    static void add(float[] x, float[] h) {
        for (int i = 0; i < x.length; i++) {
            x[i] += h[i];
        }
    }

    /** {@code y[r] += b} for each row of {@code y [rows, b.length]}; nothing when {@code b} is null (no bias). */
    static void addToRows(float[] y, float[] b) {
        if (b == null) {
            return;
        }
        for (int o = 0; o < y.length; o += b.length) {
            for (int i = 0; i < b.length; i++) {
                y[o + i] += b[i];
            }
        }
    }

    /** LayerNorm of each row without affine parameters (mean-centred, biased variance), in place. */
    static void layerNorm(float[] x, int from, int n, float eps) {
        float mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[from + i];
        }
        mean /= n;
        float var = 0;
        for (int i = 0; i < n; i++) {
            float c = x[from + i] - mean;
            x[from + i] = c;
            var += c * c;
        }
        float root = (float) Math.sqrt(var / n + eps);
        for (int i = 0; i < n; i++) {
            x[from + i] /= root;
        }
    }

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    /** SwiGLU's gate: {@code silu(g) ⊙ u} into {@code g}. */
    static void siluTimes(float[] g, float[] u) {
        for (int i = 0; i < g.length; i++) {
            g[i] = g[i] * sigmoid(g[i]) * u[i];
        }
    }

    /** {@code log σ(x) = −softplus(−x)} as PyTorch computes it (softplus is linear above 20). */
    static float logSigmoid(float x) {
        return x < -20 ? x : (float) -Math.log1p(Math.exp(-x));
    }

    /** {@code cap · tanh(x / cap)}. */
    static float softCap(float x, float cap) {
        return (float) Math.tanh(x * (1f / cap)) * cap;
    }

    /** {@code ln Σ exp(x[from..from+n))}, stable. */
    static double logSumExp(float[] x, int from, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[from + i]);
        }
        double z = 0;
        for (int i = 0; i < n; i++) {
            z += Math.exp(x[from + i] - max);
        }
        return max + Math.log(z);
    }
}
