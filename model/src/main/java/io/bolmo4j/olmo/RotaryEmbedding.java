package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import com.google.gson.JsonObject;
import io.bolmo4j.engine.Ops;

/**
 * Rotary position embedding in Hugging Face's rotate-half convention: the angle of dimension pair j is
 * {@code pos · inv_freq[j]}, and cos/sin are repeated over both halves of the head. Supports default, linear,
 * YaRN and Llama-3 frequency scaling. Tables are computed in fp32 exactly as PyTorch does, so long positions agree.
 * The frequency maths ({@link Frequencies}) is shared with the Java inference engine.
 */
public final class RotaryEmbedding {
    private final Frequencies frequencies;
    private final int headDim;
    private final NDManager manager;
    /** rotate_half as a signed permutation matrix {@code [headDim, headDim]}: {@code x·R} is exact and one engine call. */
    private final NDArray rotateHalf;
    private NDArray cos;
    private NDArray sin;
    private int cached;

    RotaryEmbedding(NDManager manager, int headDim, double theta, JsonObject scaling, int maxPositionEmbeddings) {
        this.manager = manager;
        this.headDim = headDim;
        this.frequencies = Frequencies.of(headDim, theta, scaling, maxPositionEmbeddings);
        int half = headDim / 2;
        float[] r = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            r[(j + half) * headDim + j] = -1; // output j < half is −x[j + half]
            r[j * headDim + j + half] = 1;    // output j + half is x[j]
        }
        this.rotateHalf = Ops.floats(manager, r, headDim, headDim);
        NDScope.unregister(rotateHalf);
    }

    /**
     * The inverse frequencies of the {@code headDim / 2} dimension pairs and the factor cos and sin are scaled by
     * (YaRN's attention scaling; 1 otherwise).
     */
    public record Frequencies(float[] inverse, float attentionScaling) {
        /** The RoPE of a layer: {@code scaling} is its {@code rope_scaling} object, null for the default RoPE. */
        public static Frequencies of(int headDim, double theta, JsonObject scaling, int maxPositionEmbeddings) {
            int half = headDim / 2;
            float[] base = new float[half];
            for (int j = 0; j < half; j++) {
                base[j] = (float) (1.0 / (float) Math.pow(theta, (float) (2 * j) / headDim));
            }
            String type = scaling == null ? "default" : OlmoConfig.ropeType(scaling);
            float scale = 1f;
            switch (type) {
                case "default" -> { }
                case "linear" -> {
                    float f = scaling.get("factor").getAsFloat();
                    for (int j = 0; j < half; j++) {
                        base[j] /= f;
                    }
                }
                case "yarn" -> scale = yarn(base, headDim, theta, scaling, maxPositionEmbeddings);
                case "llama3" -> llama3(base, scaling);
                default -> throw new IllegalArgumentException("unsupported rope_scaling type '" + type + "'");
            }
            return new Frequencies(base, scale);
        }

        /**
         * Writes cos and sin of position {@code pos} for every dimension of a head ({@code 2 · inverse.length}
         * values, both halves alike) into {@code cos} and {@code sin} from {@code at} on.
         */
        public void angles(int pos, float[] cos, float[] sin, int at) {
            int half = inverse.length;
            for (int j = 0; j < half; j++) {
                float angle = (float) pos * inverse[j];
                float cv = (float) Math.cos(angle) * attentionScaling;
                float sv = (float) Math.sin(angle) * attentionScaling;
                cos[at + j] = cv;
                cos[at + j + half] = cv;
                sin[at + j] = sv;
                sin[at + j + half] = sv;
            }
        }
    }

    /**
     * cos and sin for positions {@code [start, start + length)}, shaped {@code [length, headDim]}, and the
     * rotate_half matrix.
     */
    NDList table(int start, int length) {
        ensure(start + length);
        NDIndex rows = new NDIndex().addSliceDim(start, start + length);
        return new NDList(cos.get(rows), sin.get(rows), rotateHalf);
    }

    /** Applies the rotation to {@code x [B, heads, T, headDim]} with a {@link #table} for its positions. */
    static NDArray apply(NDArray x, NDList table) {
        return x.mul(table.get(0)).add(x.matMul(table.get(2)).mul(table.get(1)));
    }

    private void ensure(int length) {
        if (length <= cached) {
            return;
        }
        int n = Math.max(length, Math.max(2 * cached, 256));
        float[] c = new float[n * headDim];
        float[] s = new float[n * headDim];
        for (int pos = 0; pos < n; pos++) {
            frequencies.angles(pos, c, s, pos * headDim);
        }
        if (cos != null) {
            cos.close();
            sin.close();
        }
        cos = Ops.floats(manager, c, n, headDim);
        sin = Ops.floats(manager, s, n, headDim);
        // The tables outlive the step scope that happened to grow them.
        NDScope.unregister(cos, sin);
        cached = n;
    }

    private static float yarn(float[] invFreq, int dim, double theta, JsonObject sc, int maxPos) {
        double factor = sc.get("factor").getAsDouble();
        int original = sc.has("original_max_position_embeddings")
                ? sc.get("original_max_position_embeddings").getAsInt() : maxPos;
        double betaFast = sc.has("beta_fast") ? sc.get("beta_fast").getAsDouble() : 32;
        double betaSlow = sc.has("beta_slow") ? sc.get("beta_slow").getAsDouble() : 1;
        boolean truncate = !sc.has("truncate") || sc.get("truncate").getAsBoolean();
        double attention;
        if (sc.has("attention_factor") && !sc.get("attention_factor").isJsonNull()) {
            attention = sc.get("attention_factor").getAsDouble();
        } else if (sc.has("mscale") && sc.has("mscale_all_dim")) {
            attention = mscale(factor, sc.get("mscale").getAsDouble()) / mscale(factor, sc.get("mscale_all_dim").getAsDouble());
        } else {
            attention = mscale(factor, 1);
        }
        double low = correctionDim(betaFast, dim, theta, original);
        double high = correctionDim(betaSlow, dim, theta, original);
        if (truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;
        }
        for (int j = 0; j < invFreq.length; j++) {
            double ramp = Math.min(1, Math.max(0, (j - low) / (high - low)));
            double extrapolationWeight = 1 - ramp;
            double extrapolated = invFreq[j];
            double interpolated = invFreq[j] / factor;
            invFreq[j] = (float) (interpolated * (1 - extrapolationWeight) + extrapolated * extrapolationWeight);
        }
        return (float) attention;
    }

    private static double mscale(double scale, double m) {
        return scale <= 1 ? 1.0 : 0.1 * m * Math.log(scale) + 1.0;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPos) {
        return dim * Math.log(maxPos / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    private static void llama3(float[] invFreq, JsonObject sc) {
        double factor = sc.get("factor").getAsDouble();
        double lowFactor = sc.get("low_freq_factor").getAsDouble();
        double highFactor = sc.get("high_freq_factor").getAsDouble();
        double original = sc.get("original_max_position_embeddings").getAsDouble();
        double lowWavelen = original / lowFactor;
        double highWavelen = original / highFactor;
        for (int j = 0; j < invFreq.length; j++) {
            double wavelen = 2 * Math.PI / invFreq[j];
            if (wavelen > lowWavelen) {
                invFreq[j] = (float) (invFreq[j] / factor);
            } else if (wavelen >= highWavelen) {
                double smooth = (original / wavelen - lowFactor) / (highFactor - lowFactor);
                invFreq[j] = (float) ((1 - smooth) * invFreq[j] / factor + smooth * invFreq[j]);
            }
        }
    }
}
