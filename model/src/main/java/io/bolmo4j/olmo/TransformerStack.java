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
 * The OLMo 2 / Olmo 3 decoder layers on their own: vectors in, vectors out. This is the "global model" of Bolmo,
 * and the body of {@link OlmoModel}. Each layer is post-norm ("reordered norm"):
 * <pre>
 *   x = x + RMSNorm_post_attn(Attention(x))      Attention with QK-norm over the whole projection, then RoPE
 *   x = x + RMSNorm_post_ffn(SwiGLU(x))
 * </pre>
 * Parameters use Hugging Face names under {@code model.layers.N.}; sliding-window layers (Olmo 3) see the last
 * {@code sliding_window} positions only and use unscaled RoPE.
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
        ropeSliding = new RotaryEmbedding(m, cfg.headDim, cfg.ropeTheta, null, cfg.maxPositionEmbeddings);
        shapes(cfg).forEach(params::get);
        layers = new Layer[cfg.numHiddenLayers];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(i);
        }
    }

    /** Adds randomly initialised layer parameters (normal, std {@code initStd}; norms at 1) to {@code params}. */
    public static void initialize(OlmoConfig cfg, Params params, Random rng, double initStd) {
        for (Map.Entry<String, long[]> e : shapes(cfg).entrySet()) {
            if (e.getKey().endsWith("norm.weight")) {
                params.putConstant(e.getKey(), 1f, e.getValue());
            } else {
                params.putNormal(e.getKey(), rng, initStd, e.getValue());
            }
        }
    }

    /** Every layer tensor with its shape, in checkpoint order. */
    public static Map<String, long[]> shapes(OlmoConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = c.hiddenSize, q = (long) c.numAttentionHeads * c.headDim, kv = (long) c.numKeyValueHeads * c.headDim;
        for (int i = 0; i < c.numHiddenLayers; i++) {
            String p = ParameterLayout.layer(i);
            m.put(p + "self_attn.q_proj.weight", new long[] {q, d});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, d});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, d});
            m.put(p + "self_attn.o_proj.weight", new long[] {d, q});
            m.put(p + "self_attn.q_norm.weight", new long[] {q});
            m.put(p + "self_attn.k_norm.weight", new long[] {kv});
            m.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize, d});
            m.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize, d});
            m.put(p + "mlp.down_proj.weight", new long[] {d, c.intermediateSize});
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
            m.put(p + "post_feedforward_layernorm.weight", new long[] {d});
        }
        return m;
    }

    /**
     * The matrices each layer's decoding steps use fused (see {@link Params#fused}): q/k/v and gate/up projections.
     * Checkpoint loaders read them straight into their fused tensors.
     */
    public static List<String[]> fusedMatrices(OlmoConfig c) {
        List<String[]> groups = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers; i++) {
            String p = ParameterLayout.layer(i);
            groups.add(new String[] {p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight", p + "self_attn.v_proj.weight"});
            groups.add(new String[] {p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"});
        }
        return groups;
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
     * reload, a task-vector merge) takes effect at once. Cached (inference) steps use fused QKV and gate/up matrices,
     * whose rows are the named tensors (see {@link Params#fused}); uncached forwards, which training differentiates,
     * use the named tensors themselves.
     */
    private final class Layer {
        private final int index;
        private final String p;
        private final String[] qkv;
        private final String[] gateUp;
        private final String[] qkNorm;

        Layer(int i) {
            index = i;
            p = ParameterLayout.layer(i);
            List<String[]> matrices = fusedMatrices(cfg);
            qkv = matrices.get(2 * i);
            gateUp = matrices.get(2 * i + 1);
            qkNorm = new String[] {p + "self_attn.q_norm.weight", p + "self_attn.k_norm.weight"};
            params.fused(qkv);
            params.fused(gateUp);
            if (cfg.numAttentionHeads == cfg.numKeyValueHeads) {
                params.fused(qkNorm);
            }
        }

        private NDArray w(String name) {
            return params.get(p + name);
        }

        NDArray forward(NDArray x, NDList rope, NDArray mask) {
            long b = x.getShape().get(0), t = x.getShape().get(1);
            NDArray q = Ops.linear(x, w("self_attn.q_proj.weight"));
            NDArray k = Ops.linear(x, w("self_attn.k_proj.weight"));
            NDArray v = Ops.linear(x, w("self_attn.v_proj.weight"));
            NDArray[] kv = keysValues(b, t, k, v, rope);
            NDArray h = attention(b, t, query(b, t, q, rope), kv[0], kv[1], mask);
            return feedForward(residual(x, h, "post_attention_layernorm.weight"), false);
        }

        /** A cached step: the T new positions attend to the cached ones from position {@code first} on. */
        NDArray step(NDArray x, NDList rope, NDArray mask, KvCache cache, int first) {
            long b = x.getShape().get(0), t = x.getShape().get(1);
            int heads = cfg.numAttentionHeads;
            long q = (long) heads * cfg.headDim, kv = (long) cfg.numKeyValueHeads * cfg.headDim;
            NDArray projected = Ops.linear(x, params.fused(qkv));
            NDArray query;
            NDArray[] all;
            if (q == kv) {
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

        /** Queries {@code [B, heads, T, headDim]}: QK-norm over the whole projection, before the split into heads. */
        private NDArray query(long b, long t, NDArray q, NDList rope) {
            NDArray normed = Ops.rmsNorm(q, w("self_attn.q_norm.weight"), (float) cfg.rmsNormEps);
            return RotaryEmbedding.apply(heads(normed, b, t, cfg.numAttentionHeads), rope);
        }

        /** Rotated keys and values {@code [B, kvHeads, T, headDim]}. */
        private NDArray[] keysValues(long b, long t, NDArray k, NDArray v, NDList rope) {
            NDArray normed = Ops.rmsNorm(k, w("self_attn.k_norm.weight"), (float) cfg.rmsNormEps);
            return new NDArray[] {RotaryEmbedding.apply(heads(normed, b, t, cfg.numKeyValueHeads), rope),
                    heads(v, b, t, cfg.numKeyValueHeads)};
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
            return Ops.linear(out.reshape(b, t, (long) heads * hd), w("self_attn.o_proj.weight"));
        }

        private NDArray residual(NDArray x, NDArray h, String norm) {
            return x.add(Ops.rmsNorm(h, w(norm), (float) cfg.rmsNormEps));
        }

        private NDArray feedForward(NDArray x, boolean fused) {
            NDArray f = fused ? Ops.swiGluFused(x, params.fused(gateUp), w("mlp.down_proj.weight"))
                    : Ops.swiGlu(x, w("mlp.gate_proj.weight"), w("mlp.up_proj.weight"), w("mlp.down_proj.weight"));
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
