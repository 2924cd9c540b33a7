package io.bolmo4j.mlstm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;

/**
 * Bolmo's local layer (docs/bolmo.md §3.1, {@code BolmoLocalLayer}):
 * {@code y = x + mLSTM(RMSNorm(x))}, {@code z = y + SwiGLU(RMSNorm(y))}, both norms with {@link LocalConfig#rmsEps()}.
 * HF names under a prefix such as {@code model.local_encoder.layers.0.}: {@code pre_xlstm_layernorm.weight},
 * {@code xlstm.*}, {@code pre_feedforward_layernorm.weight}, {@code mlp.{gate,up,down}_proj.weight}.
 */
public final class LocalLayer {
    private final Params params;
    private final String prefix;
    private final LocalConfig cfg;
    private final MLstmLayer xlstm;
    private final String[] gateUp;

    /** Binds the layer to the tensors under {@code prefix}; fails at once if one is missing or mis-shaped. */
    public LocalLayer(Params params, String prefix, LocalConfig cfg, MLstmCell cell) {
        this.params = params;
        this.prefix = prefix;
        this.cfg = cfg;
        this.xlstm = new MLstmLayer(params, prefix + "xlstm.", cfg, cell);
        tensors(cfg, 1).shapes().forEach((name, shape) -> params.get(prefix + name, shape));
        gateUp = new String[] {prefix + "mlp.gate_proj.weight", prefix + "mlp.up_proj.weight"};
        params.fused(gateUp);
    }

    /**
     * The layer's tensors (names relative to its prefix, the mLSTM's included), with their initialisation: norm
     * weights one, the mLSTM as in {@link MLstmLayer#tensors}, SwiGLU input projections {@code N(0, 2/(5d))} and
     * {@code down_proj} scaled by {@code 1/√(2·depth)} like {@code out_proj}.
     *
     * @param depth number of layers in the stack
     */
    public static TensorTable tensors(LocalConfig cfg, int depth) {
        double std = Math.sqrt(2.0 / (5.0 * cfg.d()));
        return new TensorTable().constant("pre_xlstm_layernorm.weight", 1f, cfg.d()).under("xlstm.", MLstmLayer.tensors(cfg, depth))
                .constant("pre_feedforward_layernorm.weight", 1f, cfg.d()).normal("mlp.gate_proj.weight", std, cfg.ffn(), cfg.d())
                .normal("mlp.up_proj.weight", std, cfg.ffn(), cfg.d())
                .normal("mlp.down_proj.weight", std / Math.sqrt(2.0 * Math.max(1, depth)), cfg.d(), cfg.ffn());
    }

    /**
     * Runs the layer over a sequence {@code x [B,S,d]}.
     *
     * @param state mLSTM state before the first position, or null for zeros
     */
    public MLstmLayer.Result forward(NDArray x, MLstmState state, MLstmCell.Form form) {
        checkInput(x, 3, "[B,S,");
        MLstmLayer.Result r = xlstm.forward(Ops.rmsNorm(x, p("pre_xlstm_layernorm.weight"), cfg.rmsEps()), state, form);
        return new MLstmLayer.Result(feedForward(x.add(r.output()), false), r.state());
    }

    /** One decoding step, {@code x [B,d]} → {@code [B,d]}. */
    public MLstmLayer.Result step(NDArray x, MLstmState state) {
        checkInput(x, 2, "[B,");
        MLstmLayer.Result r = xlstm.step(Ops.rmsNorm(x, p("pre_xlstm_layernorm.weight"), cfg.rmsEps()), state);
        return new MLstmLayer.Result(feedForward(x.add(r.output()), true), r.state());
    }

    /** The SwiGLU block; decoding steps (never differentiated) use the fused gate/up matrix. */
    private NDArray feedForward(NDArray y, boolean fused) {
        NDArray u = Ops.rmsNorm(y, p("pre_feedforward_layernorm.weight"), cfg.rmsEps());
        return y.add(fused ? Ops.swiGluFused(u, params.fused(gateUp), p("mlp.down_proj.weight"))
                : Ops.swiGlu(u, p("mlp.gate_proj.weight"), p("mlp.up_proj.weight"), p("mlp.down_proj.weight")));
    }

    private void checkInput(NDArray x, int rank, String layout) {
        Shape s = x.getShape();
        if (s.dimension() != rank || s.get(rank - 1) != cfg.d()) {
            throw new IllegalArgumentException("local layer input must be " + layout + cfg.d() + "], got " + s);
        }
    }

    private NDArray p(String name) {
        return params.get(prefix + name);
    }
}
