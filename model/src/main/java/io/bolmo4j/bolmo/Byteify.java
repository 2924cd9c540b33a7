package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.mlstm.MLstmCell;
import io.bolmo4j.olmo.OlmoModel;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Turns a subword OLMo into an untrained Bolmo (paper §3.2, docs/bolmo.md §6.3 init): the global model is the teacher's
 * layer stack, the subword-suffix table is the teacher's input embedding, byte embeddings are drawn from the
 * teacher's per-dimension embedding statistics, the final norm is the teacher's, the boundary projections are the
 * identity, and the encoder's out_projection is rescaled so that pooled patch vectors of random bytes have the
 * teacher embeddings' per-dimension mean and standard deviation. Stage 1 then trains the local parts.
 */
public final class Byteify {
    private Byteify() {}

    /**
     * @param subwordVocabSize the teacher tokenizer's id count (rows copied into the subword table)
     */
    public static BolmoModel fromTeacher(OlmoModel teacher, int subwordVocabSize, long seed) {
        return fromTeacher(teacher, subwordVocabSize, seed, c -> c);
    }

    /**
     * As {@link #fromTeacher(OlmoModel, int, long)} with the local architecture changed from the paper's defaults
     * (e.g. {@code c -> c.with("num_local_decoder_layers", 2)}), for Stage 1 architecture checks.
     */
    public static BolmoModel fromTeacher(OlmoModel teacher, int subwordVocabSize, long seed,
                                         UnaryOperator<BolmoConfig> architecture) {
        Backend.noGrad();
        if (subwordVocabSize > teacher.config().vocabSize) {
            throw new IllegalArgumentException("subword vocabulary " + subwordVocabSize + " exceeds the teacher's vocab_size "
                    + teacher.config().vocabSize);
        }
        BolmoConfig cfg = architecture.apply(BolmoConfig.fromTeacher(teacher.config(), subwordVocabSize));
        Params p = Params.create();
        Random rng = new Random(seed);
        BolmoModel.initLocal(cfg, p, rng);
        Map<String, NDArray> t = teacher.params().asMap();
        if (t.values().stream().anyMatch(a -> a.getDataType() != DataType.FLOAT32)) {
            throw new IllegalArgumentException("byteify trains through the teacher's layers and needs them in float32;"
                    + " load the teacher with WeightType.FLOAT32 (the default)");
        }
        for (Map.Entry<String, NDArray> e : t.entrySet()) {
            if (ParameterLayout.isGlobal(e.getKey())) {
                p.putCopy(e.getKey(), e.getValue());
            }
        }
        p.putCopy(ParameterLayout.NORM, t.get(ParameterLayout.NORM));
        int d = cfg.hiddenSize;
        float[] emb = t.get(ParameterLayout.EMBED).toFloatArray();
        float[] sub = Arrays.copyOf(emb, subwordVocabSize * d);
        if (cfg.addExpandedEmbeddings) {
            p.put(LocalEncoder.SUBWORD_EMBEDDING, sub, subwordVocabSize, d);
        }
        double[][] stats = columnStats(sub, subwordVocabSize, d);
        float[] bytes = new float[BolmoConfig.BYTE_VOCAB * d];
        for (int i = 0; i < BolmoConfig.BYTE_VOCAB; i++) {
            for (int j = 0; j < d; j++) {
                bytes[i * d + j] = (float) (stats[0][j] + stats[1][j] * rng.nextGaussian());
            }
        }
        p.put(LocalEncoder.BYTE_EMBEDDING, bytes, BolmoConfig.BYTE_VOCAB, d);
        BolmoModel model = new BolmoModel(cfg, p);
        calibrateOutProjection(model, stats, rng);
        return model;
    }

    /** Per-column mean and standard deviation of a row-major {@code [rows, d]} matrix. */
    static double[][] columnStats(float[] m, int rows, int d) {
        double[] mean = new double[d], sq = new double[d];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < d; j++) {
                double v = m[i * d + j];
                mean[j] += v;
                sq[j] += v * v;
            }
        }
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] /= rows;
            std[j] = Math.sqrt(Math.max(1e-12, sq[j] / rows - mean[j] * mean[j]));
        }
        return new double[][] {mean, std};
    }

    /** Rescales out_projection so encoder outputs on random text match the teacher's embedding statistics. */
    private static void calibrateOutProjection(BolmoModel model, double[][] target, Random rng) {
        BolmoConfig cfg = model.config();
        int d = cfg.hiddenSize, b = 4, l = 256;
        long[] ids = new long[b * l], subs = new long[b * l];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 4 + 32 + rng.nextInt(95); // printable ASCII
            subs[i] = rng.nextInt(cfg.subwordVocabSize);
        }
        String w = LocalEncoder.OUT_PROJECTION, bias = LocalEncoder.OUT_PROJECTION_BIAS;
        float[] out;
        try (NDScope ignored = new NDScope()) {
            NDManager m = model.params().manager();
            NDArray h = model.encoder().forward(Ops.longs(m, ids, b, l), Ops.longs(m, subs, b, l), null,
                    MLstmCell.Form.CHUNKWISE).output();
            out = model.encoder().patchRepresentation(h).toFloatArray();
        }
        double[][] have = columnStats(out, b * l, d);
        float[] weight = model.params().get(w).toFloatArray();
        float[] bi = model.params().get(bias).toFloatArray();
        for (int j = 0; j < d; j++) {
            double scale = target[1][j] / have[1][j];
            for (int k = 0; k < d; k++) {
                weight[j * d + k] *= (float) scale;
            }
            bi[j] = (float) ((bi[j] - have[0][j]) * scale + target[0][j]);
        }
        model.params().put(w, weight, d, d);
        model.params().put(bias, bi, d);
    }
}
