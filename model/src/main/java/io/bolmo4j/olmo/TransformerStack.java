package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;

import java.util.LinkedHashMap;
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

    public OlmoConfig config() {
        return cfg;
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
        for (int i = from; i < to; i++) {
            int kind = cfg.isSliding(i) ? 1 : 0;
            if (masks[kind] == null) {
                masks[kind] = mask(x.getManager(), start, t, kind == 1 ? cfg.slidingWindow : Integer.MAX_VALUE);
            }
            x = layers[i].forward(x, (kind == 1 ? ropeSliding : ropeFull).table(start, t), masks[kind], cache);
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
     * reload, a task-vector merge) takes effect at once.
     */
    private final class Layer {
        private final int index;
        private final String p;

        Layer(int i) {
            index = i;
            p = ParameterLayout.layer(i);
            shapes(cfg).forEach((name, shape) -> {
                if (name.startsWith(p)) {
                    params.get(name, shape);
                }
            });
        }

        private NDArray w(String name) {
            return params.get(p + name);
        }

        NDArray forward(NDArray x, NDList rope, NDArray mask, KvCache cache) {
            float eps = (float) cfg.rmsNormEps;
            NDArray h = attention(x, rope, mask, cache);
            x = x.add(Ops.rmsNorm(h, w("post_attention_layernorm.weight"), eps));
            NDArray f = Ops.swiGlu(x, w("mlp.gate_proj.weight"), w("mlp.up_proj.weight"), w("mlp.down_proj.weight"));
            return x.add(Ops.rmsNorm(f, w("post_feedforward_layernorm.weight"), eps));
        }

        private NDArray attention(NDArray x, NDList rope, NDArray mask, KvCache cache) {
            long b = x.getShape().get(0), t = x.getShape().get(1);
            int heads = cfg.numAttentionHeads, kvHeads = cfg.numKeyValueHeads, hd = cfg.headDim;
            float eps = (float) cfg.rmsNormEps;
            // QK-norm runs over the whole projection, before the split into heads.
            NDArray q = Ops.rmsNorm(Ops.linear(x, w("self_attn.q_proj.weight")), w("self_attn.q_norm.weight"), eps).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray k = Ops.rmsNorm(Ops.linear(x, w("self_attn.k_proj.weight")), w("self_attn.k_norm.weight"), eps).reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
            NDArray v = Ops.linear(x, w("self_attn.v_proj.weight")).reshape(b, t, kvHeads, hd).transpose(0, 2, 1, 3);
            q = RotaryEmbedding.apply(q, rope);
            k = RotaryEmbedding.apply(k, rope);
            if (cache != null) {
                NDArray[] kv = cache.append(index, k, v);
                k = kv[0];
                v = kv[1];
            }
            if (kvHeads != heads) {
                k = repeatKv(k, heads / kvHeads);
                v = repeatKv(v, heads / kvHeads);
            }
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(Ops.scalar(q, (float) (1.0 / Math.sqrt(hd))));
            if (mask != null) {
                scores = scores.add(mask);
            }
            NDArray out = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * hd);
            return Ops.linear(out, w("self_attn.o_proj.weight"));
        }

        /** Grouped-query attention: key/value head g serves query heads [g·groups, (g+1)·groups). */
        private NDArray repeatKv(NDArray a, int groups) {
            Shape s = a.getShape();
            return a.expandDims(2).broadcast(s.get(0), s.get(1), groups, s.get(2), s.get(3))
                    .reshape(s.get(0), s.get(1) * groups, s.get(2), s.get(3));
        }
    }
}
