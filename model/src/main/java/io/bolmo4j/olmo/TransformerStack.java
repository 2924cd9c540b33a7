package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The decoder layers on their own: vectors in, vectors out. This is the "global model" of Bolmo, and the body of
 * {@link OlmoModel}. One implementation for every {@link OlmoConfig.Family}, the differences read from the config:
 * <pre>
 *   OLMo 2/3 (post-norm):  x = x + RMSNorm_post_attn(Attention(x));   x = x + RMSNorm_post_ffn(SwiGLU(x))
 *   Llama, Qwen (pre-norm): x = x + Attention(RMSNorm_input(x));      x = x + SwiGLU(RMSNorm_post_attn(x))
 *   Attention: q/k/v projections (+ biases: Qwen 2.5), QK-norm (OLMo: whole projection; Qwen 3: per head), RoPE
 * </pre>
 * Parameters use Hugging Face names under {@code model.layers.N.}; sliding-window layers see the last
 * {@code sliding_window} positions only (Olmo 3's with unscaled RoPE).
 */
public final class TransformerStack {
    private final OlmoConfig cfg;
    private final Params params;
    private final RotaryEmbedding ropeFull;
    private final RotaryEmbedding ropeSliding;
    private final Layer[] layers;

    public TransformerStack(OlmoConfig cfg, Params params) {
        this.cfg = cfg;
        this.params = params;
        NDManager m = params.manager();
        ropeFull = new RotaryEmbedding(m, cfg.headDim, cfg.ropeTheta, cfg.ropeScaling, cfg.maxPositionEmbeddings);
        ropeSliding = cfg.slidingLayersScaleRope ? ropeFull
                : new RotaryEmbedding(m, cfg.headDim, cfg.ropeTheta, null, cfg.maxPositionEmbeddings);
        shapes(cfg).forEach(params::get);
        layers = new Layer[cfg.numHiddenLayers];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(i);
        }
    }

    /** Adds randomly initialised layer parameters (normal, std {@code initStd}; norms at 1, biases at 0) to {@code params}. */
    public static void initialize(OlmoConfig cfg, Params params, Random rng, double initStd) {
        for (Map.Entry<String, long[]> e : shapes(cfg).entrySet()) {
            if (e.getKey().endsWith("norm.weight")) {
                params.putConstant(e.getKey(), 1f, e.getValue());
            } else if (e.getKey().endsWith(".bias")) {
                params.putConstant(e.getKey(), 0f, e.getValue());
            } else {
                params.putNormal(e.getKey(), rng, initStd, e.getValue());
            }
        }
    }

    /** Every layer tensor with its shape, in checkpoint order. */
    public static Map<String, long[]> shapes(OlmoConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize, q = (long) c.numAttentionHeads * c.headDim, kv = (long) c.numKeyValueHeads * c.headDim;
        long ffn = c.intermediateSize;
        boolean pre = c.normPlacement == OlmoConfig.NormPlacement.PRE;
        for (int i = 0; i < c.numHiddenLayers; i++) {
            String p = ParameterLayout.layer(i);
            if (pre) {
                m.put(p + "input_layernorm.weight", new long[] {d});
            }
            projection(m, p + "self_attn.q_proj", q, d, c.qkvBias);
            projection(m, p + "self_attn.k_proj", kv, d, c.qkvBias);
            projection(m, p + "self_attn.v_proj", kv, d, c.qkvBias);
            projection(m, p + "self_attn.o_proj", d, q, c.outputBias);
            switch (c.qkNorm) {
                case WHOLE_PROJECTION -> {
                    m.put(p + "self_attn.q_norm.weight", new long[] {q});
                    m.put(p + "self_attn.k_norm.weight", new long[] {kv});
                }
                case PER_HEAD -> {
                    m.put(p + "self_attn.q_norm.weight", new long[] {c.headDim});
                    m.put(p + "self_attn.k_norm.weight", new long[] {c.headDim});
                }
                case NONE -> { }
            }
            projection(m, p + "mlp.gate_proj", ffn, d, c.mlpBias);
            projection(m, p + "mlp.up_proj", ffn, d, c.mlpBias);
            projection(m, p + "mlp.down_proj", d, ffn, c.mlpBias);
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
            if (!pre) {
                m.put(p + "post_feedforward_layernorm.weight", new long[] {d});
            }
        }
        return m;
    }

    private static void projection(Map<String, long[]> m, String name, long out, long in, boolean bias) {
        m.put(name + ".weight", new long[] {out, in});
        if (bias) {
            m.put(name + ".bias", new long[] {out});
        }
    }

    /**
     * The matrices each layer's decoding steps use fused (see {@link Params#fused}): q/k/v and gate/up projections.
     * Checkpoint loaders read them straight into their fused tensors.
     */
    public static List<String[]> fusedMatrices(OlmoConfig c) {
        List<String[]> groups = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers; i++) {
            groups.add(qkv(ParameterLayout.layer(i), "weight"));
            groups.add(gateUp(ParameterLayout.layer(i), "weight"));
        }
        return groups;
    }

    private static String[] qkv(String p, String kind) {
        return new String[] {p + "self_attn.q_proj." + kind, p + "self_attn.k_proj." + kind, p + "self_attn.v_proj." + kind};
    }

    private static String[] gateUp(String p, String kind) {
        return new String[] {p + "mlp.gate_proj." + kind, p + "mlp.up_proj." + kind};
    }

    public int numLayers() {
        return layers.length;
    }

    /** All layers over {@code x [B, T, d]} without a cache; positions start at 0. */
    public NDArray forward(NDArray x) {
        return forward(x, null, layers.length);
    }

    /** Layers {@code [from, to)} over {@code x [B, T, d]} without a cache, positions from 0. */
    public NDArray forwardRange(NDArray x, int from, int to) {
        if (from < 0 || to > layers.length || from > to) {
            throw new IllegalArgumentException("layer range [" + from + ", " + to + ") outside [0, " + layers.length + "]");
        }
        return run(x, from, to, null);
    }

    /**
     * Runs the first {@code nLayers} layers over {@code x [B, T, d]}. With a cache, the T new positions follow the
     * {@code cache.length()} cached ones and are appended to it (then the cache advances by T).
     */
    public NDArray forward(NDArray x, KvCache cache, int nLayers) {
        if (nLayers < 0 || nLayers > layers.length) {
            throw new IllegalArgumentException("nLayers must be in [0, " + layers.length + "], got " + nLayers);
        }
        if (x.getShape().dimension() != 3 || x.getShape().get(2) != cfg.hiddenSize) {
            throw new IllegalArgumentException("expected input [B, T, " + cfg.hiddenSize + "], got " + x.getShape());
        }
        if (cache == null) {
            return run(x, 0, nLayers, null);
        }
        if (nLayers != layers.length) {
            throw new IllegalArgumentException("a KV cache needs all layers");
        }
        NDArray out = run(x, 0, nLayers, cache);
        cache.advance((int) x.getShape().get(1));
        return out;
    }

    private NDArray run(NDArray x, int from, int to, KvCache cache) {
        int t = (int) x.getShape().get(1);
        int start = cache == null ? 0 : cache.length();
        NDArray[] masks = new NDArray[2];
        NDList[] ropes = new NDList[2];
        for (int i = from; i < to; i++) {
            int kind = cfg.isSliding(i) ? 1 : 0;
            int window = kind == 1 ? cfg.slidingWindow : Integer.MAX_VALUE;
            // A single cached step reads only the keys in its window, so it needs no mask.
            int first = cache != null && t == 1 ? Math.max(0, start + 1 - window) : 0;
            if (masks[kind] == null && first == 0) {
                masks[kind] = mask(x.getManager(), start, t, window);
            }
            if (ropes[kind] == null) {
                ropes[kind] = (kind == 1 ? ropeSliding : ropeFull).table(start, t);
            }
            x = cache == null ? layers[i].forward(x, ropes[kind], masks[kind])
                    : layers[i].step(x, ropes[kind], first == 0 ? masks[kind] : null, cache, first);
        }
        return x;
    }

    /**
     * Additive mask {@code [T, start+T]}: query i (position start+i) sees key j iff j ≤ start+i and
     * start+i − j < window. Null when every key is visible (single-step decoding with full attention).
     */
    static NDArray mask(NDManager manager, int start, int t, int window) {
        int s = start + t;
        if (t == 1 && s <= window) {
            return null;
        }
        float[] m = new float[t * s];
        for (int i = 0; i < t; i++) {
            int pos = start + i;
            for (int j = 0; j < s; j++) {
                boolean visible = j <= pos && pos - j < window;
                m[i * s + j] = visible ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return Ops.floats(manager, m, t, s);
    }

    /**
     * One decoder layer. Weights are looked up by name at every call, so replacing a parameter (a checkpoint
     * reload, a task-vector merge) takes effect at once. Cached (inference) steps use fused QKV and gate/up matrices
     * (and biases), whose rows are the named tensors (see {@link Params#fused}); uncached forwards, which training
     * differentiates, use the named tensors themselves.
     */
    private final class Layer {
        private final int index;
        private final String p;
        private final String[] qkv;
        private final String[] gateUp;
        private final String[] qkvBias;
        private final String[] gateUpBias;
        private final String[] qkNorm;
        private final boolean pre;

        Layer(int i) {
            index = i;
            p = ParameterLayout.layer(i);
            pre = cfg.normPlacement == OlmoConfig.NormPlacement.PRE;
            qkv = qkv(p, "weight");
            gateUp = gateUp(p, "weight");
            qkvBias = cfg.qkvBias ? qkv(p, "bias") : null;
            gateUpBias = cfg.mlpBias ? gateUp(p, "bias") : null;
            qkNorm = new String[] {p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"};
            params.fused(qkv);
            params.fused(gateUp);
            if (qkvBias != null) {
                params.fused(qkvBias);
            }
            if (gateUpBias != null) {
                params.fused(gateUpBias);
            }
            if (cfg.qkNorm == OlmoConfig.QkNorm.WHOLE_PROJECTION && cfg.numAttentionHeads == cfg.numKeyValueHeads) {
                params.fused(qkNorm);
            }
        }

        private NDArray w(String name) {
            return params.get(p + name);
        }

        /** {@code x·Wᵀ (+ b)} of projection {@code name} (e.g. {@code self_attn.q_proj}). */
        private NDArray project(NDArray x, String name, boolean bias) {
            NDArray y = Ops.linear(x, w(name + ".weight"));
            return bias ? y.add(w(name + ".bias")) : y;
        }

        private NDArray norm(NDArray x, String name) {
            return Ops.rmsNorm(x, w(name), (float) cfg.rmsNormEps);
        }

        NDArray forward(NDArray x, NDList rope, NDArray mask) {
            long b = x.getShape().get(0), t = x.getShape().get(1);
            NDArray in = pre ? norm(x, "input_layernorm.weight") : x;
            NDArray q = project(in, "self_attn.q_proj", cfg.qkvBias);
            NDArray k = project(in, "self_attn.k_proj", cfg.qkvBias);
            NDArray v = project(in, "self_attn.v_proj", cfg.qkvBias);
            NDArray[] kv = keysValues(b, t, k, v, rope);
            NDArray h = attention(b, t, query(b, t, q, rope), kv[0], kv[1], mask);
            return feedForward(residual(x, h, "post_attention_layernorm.weight"), false);
        }

        /** A cached step: the T new positions attend to the cached ones from position {@code first} on. */
        NDArray step(NDArray x, NDList rope, NDArray mask, KvCache cache, int first) {
            long b = x.getShape().get(0), t = x.getShape().get(1);
            int heads = cfg.numAttentionHeads;
            long q = (long) heads * cfg.headDim, kv = (long) cfg.numKeyValueHeads * cfg.headDim;
            NDArray in = pre ? norm(x, "input_layernorm.weight") : x;
            NDArray projected = Ops.linear(in, params.fused(qkv));
            if (qkvBias != null) {
                projected = projected.add(params.fused(qkvBias));
            }
            NDArray query;
            NDArray[] all;
            if (q == kv && cfg.qkNorm == OlmoConfig.QkNorm.WHOLE_PROJECTION) {
                // q and k of one width: their QK-norms are two rows of one norm, and they rotate together.
                NDList parts = projected.reshape(b, t, 3, q).split(new long[] {2}, 2);
                NDArray normed = Ops.rmsNorm(parts.get(0), params.fused(qkNorm).reshape(2, q), (float) cfg.rmsNormEps);
                NDList qk = RotaryEmbedding.apply(heads(normed, b, t, 2 * heads), rope).split(2, 1);
                query = qk.get(0);
                all = cache.append(index, qk.get(1), heads(parts.get(1), b, t, heads), first);
            } else {
                NDList parts = projected.split(new long[] {q, q + kv}, 2);
                NDArray[] kvNew = keysValues(b, t, parts.get(1), parts.get(2), rope);
                query = query(b, t, parts.get(0), rope);
                all = cache.append(index, kvNew[0], kvNew[1], first);
            }
            NDArray h = attention(b, t, query, all[0], all[1], mask);
            return feedForward(residual(x, h, "post_attention_layernorm.weight"), true);
        }

        /** Queries {@code [B, heads, T, headDim]}: QK-norm (if any), split into heads, RoPE. */
        private NDArray query(long b, long t, NDArray q, NDList rope) {
            return RotaryEmbedding.apply(normedHeads(q, b, t, cfg.numAttentionHeads, "self_attn.q_norm.weight"), rope);
        }

        /** Rotated keys and values {@code [B, kvHeads, T, headDim]}. */
        private NDArray[] keysValues(long b, long t, NDArray k, NDArray v, NDList rope) {
            return new NDArray[] {RotaryEmbedding.apply(normedHeads(k, b, t, cfg.numKeyValueHeads, "self_attn.k_norm.weight"), rope),
                    heads(v, b, t, cfg.numKeyValueHeads)};
        }

        /** A projection {@code [B, T, n·hd]} split into n heads, with the family's QK-norm before (OLMo) or after (Qwen 3) the split. */
        private NDArray normedHeads(NDArray a, long b, long t, int n, String normName) {
            return switch (cfg.qkNorm) {
                case NONE -> heads(a, b, t, n);
                case WHOLE_PROJECTION -> heads(norm(a, normName), b, t, n);
                case PER_HEAD -> norm(heads(a, b, t, n), normName);
            };
        }

        /** {@code [B, T, ..]} of n·hd values → {@code [B, n, T, hd]} (one position: the same memory order, so a view). */
        private NDArray heads(NDArray a, long b, long t, int n) {
            return t == 1 ? a.reshape(b, n, 1, cfg.headDim) : a.reshape(b, t, n, cfg.headDim).transpose(0, 2, 1, 3);
        }

        /** Softmax attention of queries {@code [B, heads, T, hd]} over keys/values {@code [B, kvHeads, S, hd]}. */
        private NDArray attention(long b, long t, NDArray q, NDArray k, NDArray v, NDArray mask) {
            int heads = cfg.numAttentionHeads, kvHeads = cfg.numKeyValueHeads, hd = cfg.headDim;
            NDArray scale = Ops.scalar(q, (float) (1.0 / Math.sqrt(hd)));
            NDArray out;
            if (t == 1 && mask == null) {
                // One position: the query heads of a key/value head form the rows of one product, no copies of K/V.
                NDArray qg = q.reshape(b, kvHeads, heads / kvHeads, hd);
                out = qg.matMul(k.transpose(0, 1, 3, 2)).mul(scale).softmax(-1).matMul(v);
            } else {
                if (kvHeads != heads) {
                    k = repeatKv(k, heads / kvHeads);
                    v = repeatKv(v, heads / kvHeads);
                }
                NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
                if (mask != null) {
                    scores = scores.add(mask);
                }
                out = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3);
            }
            return project(out.reshape(b, t, (long) heads * hd), "self_attn.o_proj", cfg.outputBias);
        }

        /** The residual sum after a sublayer's output {@code h}: OLMo normalises {@code h}, pre-norm layers add it as is. */
        private NDArray residual(NDArray x, NDArray h, String norm) {
            return x.add(pre ? h : norm(h, norm));
        }

        private NDArray feedForward(NDArray x, boolean fused) {
            NDArray in = pre ? norm(x, "post_attention_layernorm.weight") : x;
            NDArray f;
            if (fused) {
                NDArray gu = Ops.linear(in, params.fused(gateUp));
                if (gateUpBias != null) {
                    gu = gu.add(params.fused(gateUpBias));
                }
                NDList parts = gu.split(2, gu.getShape().dimension() - 1);
                f = project(Ops.silu(parts.get(0)).mul(parts.get(1)), "mlp.down_proj", cfg.mlpBias);
            } else {
                f = project(Ops.silu(project(in, "mlp.gate_proj", cfg.mlpBias)).mul(project(in, "mlp.up_proj", cfg.mlpBias)),
                        "mlp.down_proj", cfg.mlpBias);
            }
            return residual(x, f, "post_feedforward_layernorm.weight");
        }

        /** Grouped-query attention: key/value head g serves query heads [g·groups, (g+1)·groups). */
        private NDArray repeatKv(NDArray a, int groups) {
            Shape s = a.getShape();
            return a.expandDims(2).broadcast(s.get(0), s.get(1), groups, s.get(2), s.get(3))
                    .reshape(s.get(0), s.get(1) * groups, s.get(2), s.get(3));
        }
    }
}
