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
 * {@link TransformerStack}'s layers in the Java engine, for every {@link OlmoConfig.Family}: the same config, tensor
 * names and shapes, and RoPE frequencies ({@link RotaryEmbedding.Frequencies}); vectors in, vectors out. The families'
 * differences are read from the same config fields the DJL path reads: where the norms sit ({@code normPlacement}:
 * OLMo's post-norm, Llama's and Qwen's pre-norm), the QK-norm (none, over the whole projection, or per head), the
 * q/k/v, output and SwiGLU biases, {@code head_dim}, grouped-query attention, and sliding-window layers (with unscaled
 * RoPE in Olmo 3, the scaled one in Qwen).
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
        ropeSliding = cfg.slidingLayersScaleRope ? ropeFull
                : new Rope(RotaryEmbedding.Frequencies.of(cfg.headDim, cfg.ropeTheta, null, cfg.maxPositionEmbeddings));
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

    /** One decoder layer's tensors and maths; a tensor the family does not have is null. */
    private final class Layer {
        private final Matrix q;
        private final Matrix k;
        private final Matrix v;
        private final Matrix o;
        private final Matrix gate;
        private final Matrix up;
        private final Matrix down;
        private final float[] qBias;
        private final float[] kBias;
        private final float[] vBias;
        private final float[] oBias;
        private final float[] gateBias;
        private final float[] upBias;
        private final float[] downBias;
        /** QK-norm weights: {@code [heads·head_dim]} over the whole projection, {@code [head_dim]} per head. */
        private final float[] qNorm;
        private final float[] kNorm;
        /** Pre-norm: before attention. */
        private final float[] inputNorm;
        /** Pre-norm: before the SwiGLU; post-norm: on the attention's output. */
        private final float[] postAttention;
        /** Post-norm: on the SwiGLU's output. */
        private final float[] postFeedForward;
        private final boolean pre;
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
            qBias = optional(w, shapes, p, "self_attn.q_proj.bias");
            kBias = optional(w, shapes, p, "self_attn.k_proj.bias");
            vBias = optional(w, shapes, p, "self_attn.v_proj.bias");
            oBias = optional(w, shapes, p, "self_attn.o_proj.bias");
            gateBias = optional(w, shapes, p, "mlp.gate_proj.bias");
            upBias = optional(w, shapes, p, "mlp.up_proj.bias");
            downBias = optional(w, shapes, p, "mlp.down_proj.bias");
            qNorm = optional(w, shapes, p, "self_attn.q_norm.weight");
            kNorm = optional(w, shapes, p, "self_attn.k_norm.weight");
            inputNorm = optional(w, shapes, p, "input_layernorm.weight");
            postAttention = w.vector(shapes, p, "post_attention_layernorm.weight");
            postFeedForward = optional(w, shapes, p, "post_feedforward_layernorm.weight");
            pre = cfg.normPlacement == OlmoConfig.NormPlacement.PRE;
            boolean sliding = cfg.isSliding(i);
            rope = sliding ? ropeSliding : ropeFull;
            window = sliding ? cfg.slidingWindow : Integer.MAX_VALUE;
        }

        /** The vector {@code p + name} if the config's tensors ({@link TransformerStack#shapes}) have it, else null. */
        private static float[] optional(Weights w, Map<String, long[]> shapes, String p, String name) {
            return shapes.containsKey(name) ? w.vector(shapes, p, name) : null;
        }

        Matrix[] matrices() {
            return new Matrix[] {q, k, v, o, gate, up, down};
        }

        /**
         * For positions from {@code start}, post-norm (OLMo): {@code x += RMSNorm(Attention(x))}, {@code x +=
         * RMSNorm(SwiGLU(x))}; pre-norm (Llama, Qwen): {@code x += Attention(RMSNorm(x))}, {@code x += SwiGLU(RMSNorm(x))}.
         */
        void forward(float[] x, int t, int start, float[] keys, float[] values) {
            float eps = (float) cfg.rmsNormEps;
            int d = cfg.hiddenSize;
            float[][] qkv = Products.of(parallel, pre ? Vectors.rmsNorm(x, d, inputNorm, eps) : x, t, q, k, v);
            Vectors.addToRows(qkv[0], qBias);
            Vectors.addToRows(qkv[1], kBias);
            Vectors.addToRows(qkv[2], vBias);
            float[] queries = qkNormed(qkv[0], qDim, qNorm, eps);
            float[] newKeys = qkNormed(qkv[1], kvDim, kNorm, eps);
            for (int i = 0; i < t; i++) {
                rope.rotate(queries, i * qDim, cfg.numAttentionHeads, start + i);
                rope.rotate(newKeys, i * kvDim, cfg.numKeyValueHeads, start + i);
            }
            System.arraycopy(newKeys, 0, keys, start * kvDim, t * kvDim);
            System.arraycopy(qkv[2], 0, values, start * kvDim, t * kvDim);
            float[] attended = Products.of(parallel, attention(queries, t, start, keys, values), t, o);
            Vectors.addToRows(attended, oBias);
            residual(x, attended, postAttention, eps);
            float[][] gu = Products.of(parallel, pre ? Vectors.rmsNorm(x, d, postAttention, eps) : x, t, gate, up);
            Vectors.addToRows(gu[0], gateBias);
            Vectors.addToRows(gu[1], upBias);
            Vectors.siluTimes(gu[0], gu[1]);
            float[] f = Products.of(parallel, gu[0], t, down);
            Vectors.addToRows(f, downBias);
            residual(x, f, postFeedForward, eps);
        }

        /** {@code x += h} (pre-norm), or {@code x += RMSNorm(h)} with {@code postNorm} (post-norm). */
        private void residual(float[] x, float[] h, float[] postNorm, float eps) {
            if (pre) {
                Vectors.add(x, h);
            } else {
                Vectors.addNormed(x, h, cfg.hiddenSize, postNorm, eps);
            }
        }

        /** Projections {@code [t, width]} after the family's QK-norm: none, over the whole width, or over each head. */
        private float[] qkNormed(float[] a, int width, float[] w, float eps) {
            return switch (cfg.qkNorm) {
                case NONE -> a;
                case WHOLE_PROJECTION -> Vectors.rmsNorm(a, width, w, eps);
                case PER_HEAD -> Vectors.rmsNorm(a, cfg.headDim, w, eps);
            };
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
