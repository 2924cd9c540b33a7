package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * A subword causal language model of any {@link OlmoConfig.Family} (OLMo 2/3, Llama, Qwen 2.5/3): token embedding, the
 * {@link TransformerStack}, a final RMSNorm and an LM head, untied or the input embedding itself
 * ({@code tie_word_embeddings}). All maths in fp32. Parameters keep Hugging Face names, so checkpoints load and save
 * unchanged (a tied model holds no {@code lm_head.weight}, as transformers saves it).
 */
public final class OlmoModel implements AutoCloseable {

    private final OlmoConfig config;
    private final Params params;
    private final TransformerStack stack;

    /**
     * Wraps parameters that already hold every tensor of {@code config} (shapes are checked). Tensors are looked up by
     * name at every use, so replacing one (a merge, a reload) takes effect at once.
     */
    public OlmoModel(OlmoConfig config, Params params) {
        this.config = config;
        this.params = params;
        this.stack = new TransformerStack(config, params);
        OlmoCheckpoint.expectedShapes(config).forEach(params::get);
    }

    /** A randomly initialised model (normal init with std 0.02, norms at 1), reproducible from {@code seed}. */
    public static OlmoModel random(OlmoConfig config, long seed) {
        Params p = Params.create();
        Random rng = new Random(seed);
        p.putNormal(ParameterLayout.EMBED, rng, 0.02, config.vocabSize, config.hiddenSize);
        TransformerStack.initialize(config, p, rng, 0.02);
        p.putConstant(ParameterLayout.NORM, 1f, config.hiddenSize);
        if (!config.tieWordEmbeddings) {
            p.putNormal(ParameterLayout.LM_HEAD, rng, 0.02, config.vocabSize, config.hiddenSize);
        }
        return new OlmoModel(config, p);
    }

    public OlmoConfig config() {
        return config;
    }

    public Params params() {
        return params;
    }

    /** The decoder layers alone (Bolmo's global model). */
    public TransformerStack stack() {
        return stack;
    }

    /** Input embeddings of {@code ids [B, T]} (int64), {@code [B, T, d]}. */
    public NDArray embed(NDArray ids) {
        NDArray rows = params.get(ParameterLayout.EMBED).get(ids);
        return rows.getDataType() == DataType.FLOAT32 ? rows : rows.toType(DataType.FLOAT32, false);
    }

    /** Final hidden states before the last norm, {@code [B, T, d]}. */
    public NDArray hidden(NDArray ids, KvCache cache) {
        return stack.forward(embed(ids), cache, stack.numLayers());
    }

    /** Logits of the next token at every position, {@code [B, T, vocab]}. */
    public NDArray logits(NDArray ids, KvCache cache) {
        return head(hidden(ids, cache));
    }

    /** The LM head's weights {@code [vocab, d]} (the input embedding when tied). */
    public NDArray outputEmbedding() {
        return params.get(config.tieWordEmbeddings ? ParameterLayout.EMBED : ParameterLayout.LM_HEAD);
    }

    /** Final norm and LM head applied to hidden states. */
    public NDArray head(NDArray hidden) {
        return Ops.linear(Ops.rmsNorm(hidden, params.get(ParameterLayout.NORM), (float) config.rmsNormEps), outputEmbedding());
    }

    /** Logits for one sequence of ids as a Java array {@code [T][vocab]} (no BOS is added), within the context. */
    public float[][] logits(int[] ids) {
        checkFits(config, ids);
        try (NDScope ignored = new NDScope()) {
            float[] flat = logits(Ops.ids(params.manager(), ids, 1, ids.length), null).toFloatArray();
            int v = config.vocabSize;
            return IntStream.range(0, ids.length).mapToObj(t -> Arrays.copyOfRange(flat, t * v, (t + 1) * v)).toArray(float[][]::new);
        }
    }

    /** A new cache for incremental decoding with this model (room for 256 positions, grown as needed). */
    public KvCache newCache() {
        return newCache(256);
    }

    /** A new cache allocated for {@code positions} (capped at the context; see {@link KvCache}). */
    public KvCache newCache(int positions) {
        return new KvCache(config.numHiddenLayers, Math.min(positions, config.maxPositionEmbeddings));
    }

    /** Rejects ids outside the vocabulary with a clear message instead of an engine error. */
    public void checkIds(int[] ids) {
        checkIds(config, ids);
    }

    /** Rejects ids outside {@code config}'s vocabulary or longer than its context, with a clear message (every engine). */
    public static void checkFits(OlmoConfig config, int[] ids) {
        checkIds(config, ids);
        if (ids.length > config.maxPositionEmbeddings) {
            throw new IllegalArgumentException(ids.length + " ids do not fit the model's context of "
                    + config.maxPositionEmbeddings + " positions (max_position_embeddings)");
        }
    }

    /** Rejects ids outside {@code config}'s vocabulary with a clear message (for every engine). */
    public static void checkIds(OlmoConfig config, int[] ids) {
        if (ids.length == 0) {
            throw new IllegalArgumentException("empty id sequence");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize) {
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary [0, " + config.vocabSize + ")");
            }
        }
    }

    @Override
    public void close() {
        params.close();
    }
}
