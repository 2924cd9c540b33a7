package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
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
    private final BolmoConfig cfg;
    private final Params params;
    private final LocalStack layers;

    public LocalDecoder(BolmoConfig cfg, Params params, MLstmCell cell) {
        this.cfg = cfg;
        this.params = params;
        this.layers = new LocalStack(params, ParameterLayout.LOCAL_DECODER + "layers.", cfg.numLocalDecoderLayers, cfg.localConfig(), cell);
    }

    /** {@code initial_norm} of global outputs; applied per patch before depooling (it is per vector, so equivalent). */
    public NDArray normGlobal(NDArray g) {
        return Ops.rmsNorm(g, params.get(ParameterLayout.LOCAL_DECODER + "initial_norm.weight"), (float) cfg.localRmsNormEps);
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
        return Ops.linear(h, params.get(ParameterLayout.LOCAL_DECODER + "in_projection.weight"), params.get(ParameterLayout.LOCAL_DECODER + "in_projection.bias"))
                .add(normedGlobal);
    }
}
