package io.bolmo4j.generate;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/** Chooses ids from logits following {@link SamplingOptions} (Hugging Face's order: temperature, top-k, top-p). */
public final class Sampler {
    private final SamplingOptions options;
    private final Random rng;

    public Sampler(SamplingOptions options) {
        this.options = options;
        this.rng = new Random(options.seed());
    }

    /**
     * The chosen id.
     *
     * @throws IllegalStateException when a score is NaN or +∞, or none is finite: broken weights or configuration
     *                               (e.g. overflowing activations), whose "choice" would be arbitrary text
     */
    public int sample(float[] logits) {
        requireFinite(logits);
        if (options.temperature() == 0) {
            return argmax(logits);
        }
        double[] p = probabilities(logits);
        double u = rng.nextDouble();
        double acc = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                acc += p[i];
                last = i;
                if (u < acc) {
                    return i;
                }
            }
        }
        return last;
    }

    /** The filtered, renormalised distribution that {@link #sample} draws from (temperature > 0). */
    public double[] probabilities(float[] logits) {
        int n = logits.length;
        double t = options.temperature();
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = logits[i] / t;
        }
        Integer[] order = null;
        boolean[] keep = new boolean[n];
        Arrays.fill(keep, true);
        if (options.topK() > 0 && options.topK() < n) {
            order = descending(z);
            for (int r = options.topK(); r < n; r++) {
                keep[order[r]] = false;
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (keep[i]) {
                max = Math.max(max, z[i]);
            }
        }
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = keep[i] ? Math.exp(z[i] - max) : 0;
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        if (options.topP() < 1) {
            if (order == null) {
                order = descending(z);
            }
            // Keep the smallest prefix of most likely ids whose mass reaches top-p (at least one id).
            double acc = 0;
            int r = 0;
            for (; r < n && acc < options.topP(); r++) {
                acc += p[order[r]];
            }
            double kept = 0;
            for (int j = 0; j < n; j++) {
                if (j >= r) {
                    p[order[j]] = 0;
                } else {
                    kept += p[order[j]];
                }
            }
            for (int i = 0; i < n; i++) {
                p[i] /= kept;
            }
        }
        return p;
    }

    /** Refuses scores that no choice can be made from: a NaN or +∞, or nothing finite (−∞ leaves an id out on purpose). */
    private static void requireFinite(float[] logits) {
        boolean anyFinite = false;
        for (int i = 0; i < logits.length; i++) {
            float v = logits[i];
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalStateException("the model's score for id " + i + " is " + v + ": its weights or"
                        + " configuration make the forward pass overflow (e.g. weights too large, a bad rope_theta), so"
                        + " no text can be generated from it");
            }
            anyFinite |= v != Float.NEGATIVE_INFINITY;
        }
        if (!anyFinite) {
            throw new IllegalStateException("every id's score is -Infinity: nothing can be chosen");
        }
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static Integer[] descending(double[] z) {
        return IntStream.range(0, z.length).boxed().sorted((a, b) -> Double.compare(z[b], z[a])).toArray(Integer[]::new);
    }
}
