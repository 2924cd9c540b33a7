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
 * The local encoder (docs/bolmo.md §3.3): byte embedding plus subword-suffix embedding, one mLSTM+SwiGLU layer, a final
 * RMSNorm ({@code local_rms_norm_eps}). Its per-byte output {@code h} feeds the boundary predictor, the pooling
 * (through {@link #patchRepresentation}) and the local decoder.
 */
public final class LocalEncoder {
    /** The byte embedding table {@code [520, d]}. */
    public static final String BYTE_EMBEDDING = ParameterLayout.LOCAL_ENCODER + "byte_embedding.weight";
    /** The subword-suffix embedding table {@code [subword vocabulary, d]}, initialised from the teacher's input embedding. */
    public static final String SUBWORD_EMBEDDING = ParameterLayout.LOCAL_ENCODER + "subword_embedding.weight";
    private static final String LAYERS = ParameterLayout.LOCAL_ENCODER + "layers.";
    private static final String NORM = ParameterLayout.LOCAL_ENCODER + "post_last_block_norm.weight";
    static final String OUT_PROJECTION = ParameterLayout.LOCAL_ENCODER + "out_projection.weight";
    static final String OUT_PROJECTION_BIAS = ParameterLayout.LOCAL_ENCODER + "out_projection.bias";

    private final BolmoConfig cfg;
    private final Params params;
    private final LocalStack layers;

    public LocalEncoder(BolmoConfig cfg, Params params, MLstmCell cell) {
        this.cfg = cfg;
        this.params = params;
        this.layers = new LocalStack(params, LAYERS, cfg.numLocalEncoderLayers, cfg.localConfig(), cell);
    }

    /**
     * The encoder's tensors in Hugging Face naming (docs/bolmo.md §1.2): embeddings N(0, 0.02), mLSTM layers as theirs,
     * the patch projection the identity.
     */
    static TensorTable tensors(BolmoConfig c) {
        long d = c.hiddenSize;
        TensorTable t = new TensorTable().normal(BYTE_EMBEDDING, 0.02, BolmoConfig.BYTE_VOCAB, d);
        if (c.addExpandedEmbeddings) {
            t.normal(SUBWORD_EMBEDDING, 0.02, c.subwordVocabSize, d);
        }
        return t.under(LAYERS, LocalStack.tensors(c.numLocalEncoderLayers, c.localConfig())).constant(NORM, 1f, d).identity(OUT_PROJECTION, d)
                .constant(OUT_PROJECTION_BIAS, 0f, d);
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
        return Ops.linear(h, params.get(OUT_PROJECTION), params.get(OUT_PROJECTION_BIAS));
    }

    private NDArray embed(NDArray bytes, NDArray subwords) {
        NDArray e = params.get(BYTE_EMBEDDING).get(bytes);
        if (cfg.addExpandedEmbeddings) {
            e = e.add(params.get(SUBWORD_EMBEDDING).get(subwords));
        }
        return e;
    }

    private NDArray norm(NDArray x) {
        return Ops.rmsNorm(x, params.get(NORM), (float) cfg.localRmsNormEps);
    }
}
