package io.bolmo4j.cpu;

import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A causal LM of any {@link OlmoConfig.Family} (OLMo 2/3, Llama 3.x / SmolLM2, Qwen 2.5, Qwen 3) on the Java engine:
 * {@link OlmoModel}'s token embedding, layers, final norm and LM head (the embedding when tied), with weights held as
 * stored. Built over a checkpoint's mapped files ({@link #load}) or over a DJL model's parameters in place ({@link #of}).
 */
public final class CpuOlmo {
    /** Positions whose logits are computed at once when scoring (bounds the logits held: 16 × vocabulary floats). */
    private static final int HEAD_BLOCK = 16;

    private final OlmoConfig cfg;
    private final Parallel parallel;
    private final Matrix embed;
    private final CpuTransformer stack;
    private final float[] norm;
    private final Matrix lmHead;

    private CpuOlmo(OlmoConfig cfg, Weights w) {
        this.cfg = cfg;
        this.parallel = Parallel.of(InferenceEngine.threads());
        Map<String, long[]> shapes = OlmoCheckpoint.expectedShapes(cfg);
        this.embed = w.matrix(ParameterLayout.EMBED, cfg.vocabSize, cfg.hiddenSize);
        this.stack = new CpuTransformer(cfg, w, parallel);
        this.norm = w.vector(ParameterLayout.NORM, shapes.get(ParameterLayout.NORM)[0]);
        this.lmHead = cfg.tieWordEmbeddings ? embed : w.matrix(ParameterLayout.LM_HEAD, cfg.vocabSize, cfg.hiddenSize);
    }

    /**
     * Maps the weights of a checkpoint directory of a supported family as the files store them; weights the config does
     * not describe, and non-finite values, are errors, as for {@link OlmoCheckpoint#load}.
     */
    public static CpuOlmo load(Path dir) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            OlmoConfig cfg = OlmoConfig.fromJson(ckpt.config(), dir.resolve(HfCheckpoint.CONFIG).toString());
            ckpt.requireNoneUnused(OlmoCheckpoint.knownTensors(cfg));
            return new CpuOlmo(cfg, Weights.mapped(ckpt));
        }
    }

    /** The Java engine over {@code model}'s parameters, valid while they hold the same tensors (one call's time). */
    public static CpuOlmo of(OlmoModel model) {
        return new CpuOlmo(model.config(), Weights.of(model.params()));
    }

    /** {@link #of} when inference runs on the Java engine ({@link InferenceEngine#current}), else null. */
    public static CpuOlmo forInference(OlmoModel model) {
        return InferenceEngine.current() == InferenceEngine.JAVA ? of(model) : null;
    }

    public OlmoConfig config() {
        return cfg;
    }

    /** A cache for incremental decoding with room for {@code positions} (grown as needed). */
    public CpuKvCache newCache(int positions) {
        return stack.newCache(positions);
    }

    /** Feeds {@code ids} after the cached positions and returns the next token's logits (after the last id). */
    public float[] next(int[] ids, CpuKvCache cache) {
        float[] h = hidden(ids, cache);
        int d = cfg.hiddenSize;
        float[] last = new float[d];
        System.arraycopy(h, (ids.length - 1) * d, last, 0, d);
        return head(last, 1);
    }

    /** Logits for one sequence of ids from position 0 as {@code [T][vocab]} (no BOS is added), within the context. */
    public float[][] logits(int[] ids) {
        OlmoModel.checkFits(cfg, ids);
        float[] all = head(hidden(ids, null), ids.length);
        float[][] out = new float[ids.length][];
        for (int t = 0; t < ids.length; t++) {
            out[t] = new float[cfg.vocabSize];
            System.arraycopy(all, t * cfg.vocabSize, out[t], 0, cfg.vocabSize);
        }
        return out;
    }

    /**
     * {@code ln p(ids[p + 1] | ids[0..p])} for positions {@code p} from {@code from} to the second-to-last, from one
     * forward of {@code ids} from position 0; the LM head runs a few positions at a time.
     */
    public float[] nextTokenLogProbs(int[] ids, int from) {
        int d = cfg.hiddenSize, v = cfg.vocabSize, n = ids.length - 1 - from;
        float[] h = hidden(ids, null);
        float[] out = new float[Math.max(0, n)];
        for (int b = 0; b < n; b += HEAD_BLOCK) {
            int rows = Math.min(HEAD_BLOCK, n - b);
            float[] block = new float[rows * d];
            System.arraycopy(h, (from + b) * d, block, 0, rows * d);
            float[] logits = head(block, rows);
            for (int r = 0; r < rows; r++) {
                int target = ids[from + b + r + 1];
                out[b + r] = (float) (logits[r * v + target] - Vectors.logSumExp(logits, r * v, v));
            }
        }
        return out;
    }

    /** The weight matrices a decoding step reads, each once (of the embedding it reads one row, left out). */
    public List<Matrix> stepMatrices() {
        List<Matrix> all = new ArrayList<>(stack.matrices());
        all.add(lmHead);
        return all;
    }

    /**
     * Reads every weight a decoding step reads once, on the engine's threads, and returns the bytes: timed, the
     * memory bandwidth that bounds decoding on this machine.
     */
    public long readStepWeights() {
        return Products.read(parallel, stepMatrices());
    }

    /** The final hidden states {@code [T, d]} of {@code ids}, before the last norm. */
    private float[] hidden(int[] ids, CpuKvCache cache) {
        OlmoModel.checkIds(cfg, ids);
        int d = cfg.hiddenSize;
        float[] x = new float[ids.length * d];
        for (int t = 0; t < ids.length; t++) {
            embed.row(ids[t], x, t * d);
        }
        stack.forward(x, ids.length, cache);
        return x;
    }

    /** Final norm and LM head of {@code rows} hidden states: {@code [rows, vocab]}. */
    private float[] head(float[] hidden, int rows) {
        return Products.of(parallel, Vectors.rmsNorm(hidden, cfg.hiddenSize, norm, (float) cfg.rmsNormEps), rows, lmHead);
    }
}
