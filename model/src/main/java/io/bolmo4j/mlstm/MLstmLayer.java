package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;

import java.util.stream.Stream;

/**
 * xLSTM's {@code mLSTMLayer} as Bolmo uses it (docs/bolmo.md §3.2): projections q, k, v and output gate without bias, per-head
 * input and forget gates with bias and soft cap 15, the {@link MLstmCell}, a per-head LayerNorm (eps 1e-6, no bias)
 * scaled by the flat {@code multihead_norm.weight}, the sigmoid output gate and {@code out_proj}.
 *
 * <p>Parameters are read from {@link Params} by HF name under a prefix such as
 * {@code model.local_encoder.layers.0.xlstm.} at every call, so replaced tensors are picked up.
 */
public final class MLstmLayer {
    /** {@code gate_soft_cap} of xLSTM large. */
    public static final float GATE_SOFT_CAP = 15f;
    /** eps of the per-head LayerNorm. */
    public static final float NORM_EPS = 1e-6f;
    /** Input-gate bias at initialisation (Bolmo's {@code xlstm_igate_bias_init}). */
    public static final float IGATE_BIAS_INIT = -10f;
    /** Forget-gate biases at initialisation are spaced linearly over the heads in [3, 6] (xLSTM's mLSTM cell). */
    public static final float FGATE_BIAS_LOW = 3f;
    public static final float FGATE_BIAS_HIGH = 6f;

    /** A layer's output {@code [B,S,d]} (or {@code [B,d]} for a step) and its mLSTM state afterwards. */
    public record Result(NDArray output, MLstmState state) {}

    private final Params params;
    private final String prefix;
    private final LocalConfig cfg;
    private final MLstmCell cell;
    /** q, k, v, output gate, input gate, forget gate: one product per decoding step. */
    private final String[] projections;
    private final String[] gateBiases;

    /** Binds the layer to the tensors under {@code prefix}; fails at once if one is missing or mis-shaped. */
    public MLstmLayer(Params params, String prefix, LocalConfig cfg, MLstmCell cell) {
        this.params = params;
        this.prefix = prefix;
        this.cfg = cfg;
        this.cell = cell;
        tensors(cfg, 1).shapes().forEach((name, shape) -> params.get(prefix + name, shape));
        projections = Stream.of("q", "k", "v", "ogate_preact", "igate_preact", "fgate_preact")
                .map(n -> prefix + n + ".weight").toArray(String[]::new);
        gateBiases = new String[] {prefix + "igate_preact.bias", prefix + "fgate_preact.bias"};
        params.fused(projections);
        params.fused(gateBiases);
    }

    /**
     * The layer's tensors (names relative to its prefix), with their initialisation. Projections are
     * {@code N(0, 2/(5d))} ("small init"), {@code out_proj} is further scaled by {@code 1/√(2·depth)} so that the
     * residual stream does not grow with depth; gate weights are zero, the input-gate bias is {@value #IGATE_BIAS_INIT}
     * and the forget-gate biases linspace(3, 6) over heads (gates start nearly closed to new input and retentive); the
     * norm weight is one.
     *
     * @param depth number of residual layers in the stack this layer belongs to (for the output scaling)
     */
    public static TensorTable tensors(LocalConfig c, int depth) {
        double std = Math.sqrt(2.0 / (5.0 * c.d()));
        int h = c.heads();
        return new TensorTable().normal("q.weight", std, c.qkDim(), c.d()).normal("k.weight", std, c.qkDim(), c.d())
                .normal("v.weight", std, c.vDim(), c.d()).normal("ogate_preact.weight", std, c.vDim(), c.d())
                .constant("igate_preact.weight", 0f, h, c.d()).constant("igate_preact.bias", IGATE_BIAS_INIT, h)
                .constant("fgate_preact.weight", 0f, h, c.d()).values("fgate_preact.bias", () -> {
                    float[] fb = new float[h];
                    for (int i = 0; i < h; i++) {
                        fb[i] = h == 1 ? FGATE_BIAS_LOW : FGATE_BIAS_LOW + (FGATE_BIAS_HIGH - FGATE_BIAS_LOW) * i / (h - 1);
                    }
                    return fb;
                }, h)
                .constant("multihead_norm.weight", 1f, c.vDim())
                .normal("out_proj.weight", std / Math.sqrt(2.0 * Math.max(1, depth)), c.d(), c.vDim());
    }

    /**
     * Runs the layer over a sequence.
     *
     * @param u pre-normed input {@code [B,S,d]}
     * @param state mLSTM state before the first position, or null for zeros
     */
    public Result forward(NDArray u, MLstmState state, MLstmCell.Form form) {
        Shape s = u.getShape();
        if (s.dimension() != 3 || s.get(2) != cfg.d()) {
            throw new IllegalArgumentException("mLSTM layer input must be [B,S," + cfg.d() + "], got " + s);
        }
        long b = s.get(0);
        long seq = s.get(1);
        int h = cfg.heads();
        NDArray q = heads(Ops.linear(u, p("q.weight")), b, seq, cfg.qkPerHead());
        NDArray k = heads(Ops.linear(u, p("k.weight")), b, seq, cfg.qkPerHead());
        NDArray v = heads(Ops.linear(u, p("v.weight")), b, seq, cfg.vPerHead());
        MLstmCell.Result r = cell.forward(q, k, v, gate(u, "igate_preact."), gate(u, "fgate_preact."), state, form);
        NDArray normed = Ops.layerNorm(r.h(), NORM_EPS).transpose(0, 2, 1, 3).reshape(b, seq, (long) h * cfg.vPerHead())
                .mul(p("multihead_norm.weight"));
        NDArray gated = Ops.sigmoid(Ops.linear(u, p("ogate_preact.weight"))).mul(normed);
        return new Result(Ops.linear(gated, p("out_proj.weight")), r.state());
    }

    /**
     * One decoding step: {@code u [B,d]} → output {@code [B,d]}. The six input projections are one product with a
     * fused matrix (rows of the named tensors, see {@link Params#fused}); the maths is {@link #forward}'s.
     */
    public Result step(NDArray u, MLstmState state) {
        if (u.getShape().dimension() != 2 || u.getShape().get(1) != cfg.d()) {
            throw new IllegalArgumentException("mLSTM step input must be [B," + cfg.d() + "], got " + u.getShape());
        }
        long b = u.getShape().get(0);
        long qk = cfg.qkDim(), v = cfg.vDim();
        int h = cfg.heads();
        NDList parts = Ops.linear(u, params.fused(projections)).split(new long[] {qk, 2 * qk, 2 * qk + v, 2 * qk + 2 * v}, 1);
        NDList gates = Ops.softCap(parts.get(4).add(params.fused(gateBiases)), GATE_SOFT_CAP).split(2, 1);
        MLstmCell.Result r = cell.step(parts.get(0).reshape(b, h, cfg.qkPerHead()), parts.get(1).reshape(b, h, cfg.qkPerHead()),
                parts.get(2).reshape(b, h, cfg.vPerHead()), gates.get(0), gates.get(1), state);
        NDArray normed = Ops.layerNorm(r.h(), NORM_EPS).reshape(b, v).mul(p("multihead_norm.weight"));
        NDArray gated = Ops.sigmoid(parts.get(3)).mul(normed);
        return new Result(Ops.linear(gated, p("out_proj.weight")), r.state());
    }

    /** Soft-capped gate pre-activations {@code [B,H,S]} of the projection named {@code name}. */
    private NDArray gate(NDArray u, String name) {
        return Ops.softCap(Ops.linear(u, p(name + "weight"), p(name + "bias")), GATE_SOFT_CAP).transpose(0, 2, 1);
    }

    /** {@code [B,S,H·D]} → {@code [B,H,S,D]}. */
    private NDArray heads(NDArray x, long b, long seq, int perHead) {
        return x.reshape(b, seq, cfg.heads(), perHead).transpose(0, 2, 1, 3);
    }

    private NDArray p(String name) {
        return params.get(prefix + name);
    }
}
