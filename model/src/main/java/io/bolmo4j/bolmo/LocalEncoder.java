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
 * The local encoder (docs/bolmo.md §3.3): byte embedding plus subword-suffix embedding, one mLSTM+SwiGLU layer, a final
 * RMSNorm ({@code local_rms_norm_eps}). Its per-byte output {@code h} feeds the boundary predictor, the pooling
 * (through {@link #patchRepresentation}) and the local decoder.
 */
public final class LocalEncoder {
    private final BolmoConfig cfg;
    private final Params params;
    private final LocalStack layers;

    public LocalEncoder(BolmoConfig cfg, Params params, MLstmCell cell) {
        this.cfg = cfg;
        this.params = params;
        this.layers = new LocalStack(params, ParameterLayout.LOCAL_ENCODER + "layers.", cfg.numLocalEncoderLayers, cfg.localConfig(), cell);
    }

    /**
     * Encodes {@code bytes [B, L]} (int64 ids in the 520 space) with their subword-suffix ids {@code [B, L]} into the
     * normed byte states {@code h} and the mLSTM states after the last byte.
     *
     * @param states mLSTM states before the first byte, or null for zeros
     */
    public LocalStack.Result forward(NDArray bytes, NDArray subwords, List<MLstmState> states, MLstmCell.Form form) {
        LocalStack.Result r = layers.forward(embed(bytes, subwords), states, form);
        return new LocalStack.Result(norm(r.output()), r.states());
    }

    /** One byte per row, {@code [B]} ids, for decoding; returns {@code h [B, d]}. */
    public LocalStack.Result step(NDArray bytes, NDArray subwords, List<MLstmState> states) {
        LocalStack.Result r = layers.step(embed(bytes, subwords), states);
        return new LocalStack.Result(norm(r.output()), r.states());
    }

    /** The patch representation handed to the global model: {@code out_projection(h)}. */
    public NDArray patchRepresentation(NDArray h) {
        return Ops.linear(h, params.get(ParameterLayout.LOCAL_ENCODER + "out_projection.weight"), params.get(ParameterLayout.LOCAL_ENCODER + "out_projection.bias"));
    }

    private NDArray embed(NDArray bytes, NDArray subwords) {
        NDArray e = params.get(ParameterLayout.LOCAL_ENCODER + "byte_embedding.weight").get(bytes);
        if (cfg.addExpandedEmbeddings) {
            e = e.add(params.get(ParameterLayout.LOCAL_ENCODER + "subword_embedding.weight").get(subwords));
        }
        return e;
    }

    private NDArray norm(NDArray x) {
        return Ops.rmsNorm(x, params.get(ParameterLayout.LOCAL_ENCODER + "post_last_block_norm.weight"), (float) cfg.localRmsNormEps);
    }
}
