package io.bolmo4j.cpu;

import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.RotaryEmbedding;
import io.bolmo4j.olmo.TransformerStack;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TransformerStack}'s layers in the Java engine: the same config, tensor names and shapes, and RoPE
 * frequencies ({@link RotaryEmbedding.Frequencies}); vectors in, vectors out. OLMo 2 / Olmo 3 layers are post-norm,
 * with QK-norm over the whole q and k projections, grouped-query attention, and sliding-window layers that use
 * unscaled RoPE. What another family changes (where the norms sit, biases, per-head QK-norm) is one predicate or one
 * tensor of {@link Layer}.
 */
final class CpuTransformer {
    private final OlmoConfig cfg;
    private final Parallel parallel;
    private final Layer[] layers;
    private final Rope ropeFull;
    private final Rope ropeSliding;
    private final int qDim;
    private final int kvDim;

    CpuTransformer(OlmoConfig cfg, Weights weights, Parallel parallel) {
        this.cfg = cfg;
        this.parallel = parallel;
        this.qDim = cfg.numAttentionHeads * cfg.headDim;
        this.kvDim = cfg.numKeyValueHeads * cfg.headDim;
        ropeFull = new Rope(RotaryEmbedding.Frequencies.of(cfg.headDim, cfg.ropeTheta, cfg.ropeScaling, cfg.maxPositionEmbeddings));
        ropeSliding = new Rope(RotaryEmbedding.Frequencies.of(cfg.headDim, cfg.ropeTheta, null, cfg.maxPositionEmbeddings));
        Map<String, long[]> shapes = TransformerStack.shapes(cfg);
        layers = new Layer[cfg.numHiddenLayers];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(i, weights, shapes);
        }
    }

    OlmoConfig config() {
        return cfg;
    }

    /** A cache for {@code positions} positions (grown as needed). */
    CpuKvCache newCache(int positions) {
        return new CpuKvCache(layers.length, kvDim, Math.min(positions, cfg.maxPositionEmbeddings));
    }

    /**
     * Runs every layer over {@code x [t, d]} in place. With a cache the t positions follow the cached ones and are
     * appended to it; without one they start at position 0 and their keys and values are dropped afterwards. As in the
     * DJL path, positions past {@code max_position_embeddings} rotate on; callers keep to the context.
     */
    void forward(float[] x, int t, CpuKvCache cache) {
        int start = cache == null ? 0 : cache.length();
        if (cache != null) {
            cache.reserve(t);
        }
        float[] keys = cache == null ? new float[t * kvDim] : null;
        float[] values = cache == null ? new float[t * kvDim] : null;
        for (int i = 0; i < layers.length; i++) {
            layers[i].forward(x, t, start, cache == null ? keys : cache.keys(i), cache == null ? values : cache.values(i));
        }
        if (cache != null) {
            cache.advance(t);
        }
    }

    /** The weight matrices one position reads, each once. */
    List<Matrix> matrices() {
        return Arrays.stream(layers).flatMap(l -> Arrays.stream(l.matrices())).toList();
    }

    /** One decoder layer's tensors and maths. */
    private final class Layer {
        private final Matrix q;
        private final Matrix k;
        private final Matrix v;
        private final Matrix o;
        private final Matrix gate;
        private final Matrix up;
        private final Matrix down;
        private final float[] qNorm;
        private final float[] kNorm;
        private final float[] postAttention;
        private final float[] postFeedForward;
        private final Rope rope;
        private final int window;

        Layer(int i, Weights w, Map<String, long[]> all) {
            String p = ParameterLayout.layer(i);
            Map<String, long[]> shapes = new HashMap<>(); // this layer's, by their names after the prefix
            all.forEach((name, shape) -> {
                if (name.startsWith(p)) {
                    shapes.put(name.substring(p.length()), shape);
                }
            });
            q = w.matrix(shapes, p, "self_attn.q_proj.weight");
            k = w.matrix(shapes, p, "self_attn.k_proj.weight");
            v = w.matrix(shapes, p, "self_attn.v_proj.weight");
            o = w.matrix(shapes, p, "self_attn.o_proj.weight");
            gate = w.matrix(shapes, p, "mlp.gate_proj.weight");
            up = w.matrix(shapes, p, "mlp.up_proj.weight");
            down = w.matrix(shapes, p, "mlp.down_proj.weight");
            qNorm = w.vector(shapes, p, "self_attn.q_norm.weight");
            kNorm = w.vector(shapes, p, "self_attn.k_norm.weight");
            postAttention = w.vector(shapes, p, "post_attention_layernorm.weight");
            postFeedForward = w.vector(shapes, p, "post_feedforward_layernorm.weight");
            boolean sliding = cfg.isSliding(i);
            rope = sliding ? ropeSliding : ropeFull;
            window = sliding ? cfg.slidingWindow : Integer.MAX_VALUE;
        }

        Matrix[] matrices() {
            return new Matrix[] {q, k, v, o, gate, up, down};
        }

        /** {@code x = x + RMSNorm(Attention(x))}, then {@code x = x + RMSNorm(SwiGLU(x))}, for positions from {@code start}. */
        void forward(float[] x, int t, int start, float[] keys, float[] values) {
            float eps = (float) cfg.rmsNormEps;
            float[][] qkv = Products.of(parallel, x, t, q, k, v);
            float[] queries = Vectors.rmsNorm(qkv[0], qDim, qNorm, eps);
            float[] newKeys = Vectors.rmsNorm(qkv[1], kvDim, kNorm, eps);
            for (int i = 0; i < t; i++) {
                rope.rotate(queries, i * qDim, cfg.numAttentionHeads, start + i);
                rope.rotate(newKeys, i * kvDim, cfg.numKeyValueHeads, start + i);
            }
            System.arraycopy(newKeys, 0, keys, start * kvDim, t * kvDim);
            System.arraycopy(qkv[2], 0, values, start * kvDim, t * kvDim);
            float[] attended = attention(queries, t, start, keys, values);
            Vectors.addNormed(x, Products.of(parallel, attended, t, o), cfg.hiddenSize, postAttention, eps);
            float[][] gu = Products.of(parallel, x, t, gate, up);
            Vectors.siluTimes(gu[0], gu[1]);
            Vectors.addNormed(x, Products.of(parallel, gu[0], t, down), cfg.hiddenSize, postFeedForward, eps);
        }

        /**
         * Softmax attention of the t queries (positions from {@code start}) over the keys they see: causal, within the
         * window; query head h reads key/value head {@code h / (heads / kvHeads)}.
         */
        private float[] attention(float[] queries, int t, int start, float[] keys, float[] values) {
            int heads = cfg.numAttentionHeads, hd = cfg.headDim, group = heads / cfg.numKeyValueHeads;
            float scale = (float) (1.0 / Math.sqrt(hd));
            float[] out = new float[t * qDim];
            long work = (long) t * heads * (start + t) * hd * 8;
            parallel.forRange(t * heads, work, (from, to) -> {
                for (int item = from; item < to; item++) {
                    int i = item / heads, h = item % heads, pos = start + i;
                    int lo = Math.max(0, pos - window + 1), n = pos - lo + 1;
                    int qo = i * qDim + h * hd, kvo = (h / group) * hd;
                    float[] p = new float[n];
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        p[j] = Kernels.dot(queries, qo, keys, (lo + j) * kvDim + kvo, hd) * scale;
                        max = Math.max(max, p[j]);
                    }
                    float sum = 0;
                    for (int j = 0; j < n; j++) {
                        p[j] = (float) Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int j = 0; j < n; j++) {
                        Kernels.axpy(p[j] / sum, values, (lo + j) * kvDim + kvo, out, qo, hd);
                    }
                }
            });
            return out;
        }
    }

    /** cos and sin of a layer kind's RoPE by position, computed as the DJL path's tables are and grown on demand. */
    private final class Rope {
        private final RotaryEmbedding.Frequencies frequencies;
        private float[] cos = new float[0];
        private float[] sin = new float[0];

        Rope(RotaryEmbedding.Frequencies frequencies) {
            this.frequencies = frequencies;
        }

        /** Rotates each of the {@code heads} heads of {@code x} from {@code at} on to position {@code pos}. */
        void rotate(float[] x, int at, int heads, int pos) {
            int hd = cfg.headDim, half = hd / 2;
            ensure(pos + 1);
            int c = pos * hd;
            for (int h = 0; h < heads; h++) {
                int o = at + h * hd;
                for (int j = 0; j < half; j++) {
                    float a = x[o + j], b = x[o + j + half];
                    x[o + j] = a * cos[c + j] + -b * sin[c + j];
                    x[o + j + half] = b * cos[c + j + half] + a * sin[c + j + half];
                }
            }
        }

        private void ensure(int positions) {
            int hd = cfg.headDim, have = cos.length / hd;
            if (positions <= have) {
                return;
            }
            int n = Math.max(positions, Math.max(2 * have, 256));
            float[] c = new float[n * hd], s = new float[n * hd];
            for (int pos = 0; pos < n; pos++) {
                frequencies.angles(pos, c, s, pos * hd);
            }
            cos = c;
            sin = s;
        }
    }
}
