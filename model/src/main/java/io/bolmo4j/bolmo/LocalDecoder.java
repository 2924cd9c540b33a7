package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.engine.TensorTable;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.mlstm.LocalStack;
import io.bolmo4j.mlstm.MLstmCell;
import io.bolmo4j.mlstm.MLstmState;

import java.util.List;

/**
 * The local decoder (docs/bolmo.md §3.6): {@code u = in_projection(h) + initial_norm(G_depooled)}, then four mLSTM+SwiGLU
 * layers. Its output goes to the LM head.
 */
public final class LocalDecoder {
    private static final String INITIAL_NORM = ParameterLayout.LOCAL_DECODER + "initial_norm.weight";
    private static final String IN_PROJECTION = ParameterLayout.LOCAL_DECODER + "in_projection.weight";
    private static final String IN_PROJECTION_BIAS = ParameterLayout.LOCAL_DECODER + "in_projection.bias";
    private static final String LAYERS = ParameterLayout.LOCAL_DECODER + "layers.";

    private final BolmoConfig cfg;
    private final Params params;
    private final LocalStack layers;

    public LocalDecoder(BolmoConfig cfg, Params params, MLstmCell cell) {
        this.cfg = cfg;
        this.params = params;
        this.layers = new LocalStack(params, LAYERS, cfg.numLocalDecoderLayers, cfg.localConfig(), cell);
    }

    /** The decoder's tensors in Hugging Face naming (docs/bolmo.md §1.2): {@code in_projection} N(0, 1/d), mLSTM layers as theirs. */
    static TensorTable tensors(BolmoConfig c) {
        long d = c.hiddenSize;
        return new TensorTable().constant(INITIAL_NORM, 1f, d).normal(IN_PROJECTION, Math.sqrt(1.0 / d), d, d)
                .constant(IN_PROJECTION_BIAS, 0f, d).under(LAYERS, LocalStack.tensors(c.numLocalDecoderLayers, c.localConfig()));
    }

    /** {@code initial_norm} of global outputs; applied per patch before depooling (it is per vector, so equivalent). */
    public NDArray normGlobal(NDArray g) {
        return Ops.rmsNorm(g, params.get(INITIAL_NORM), (float) cfg.localRmsNormEps);
    }

    /**
     * Decodes a sequence.
     *
     * @param h encoder outputs {@code [B, L, d]}
     * @param depooledNormed {@code initial_norm(G)} of the patch each byte sees, {@code [B, L, d]}
     */
    public LocalStack.Result forward(NDArray h, NDArray depooledNormed, List<MLstmState> states, MLstmCell.Form form) {
        return layers.forward(input(h, depooledNormed), states, form);
    }

    /** One byte per row: {@code h [B, d]}, {@code lastValue [B, d]} (the normed latest global output). */
    public LocalStack.Result step(NDArray h, NDArray lastValue, List<MLstmState> states) {
        return layers.step(input(h, lastValue), states);
    }

    private NDArray input(NDArray h, NDArray normedGlobal) {
        return Ops.linear(h, params.get(IN_PROJECTION), params.get(IN_PROJECTION_BIAS))
                .add(normedGlobal);
    }
}
