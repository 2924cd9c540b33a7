package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.cpu.CpuOlmo;
import io.bolmo4j.engine.Ops;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Per-token negative log-likelihoods of a sequence under an {@link OlmoModel}. Sequences longer than the model's
 * context are scored in windows of {@code W = min(context, 1024)} tokens that overlap by {@code W/4}: every token after
 * the first window is predicted from at least {@code W/4} tokens of context, and only the overlap is computed twice.
 * Windows of equal length run several at a time in one batched forward while the batch's attention scores and logits
 * stay small (larger transient tensors cost more in page faults on the CPU than batching saves), and only the
 * positions a window scores go through the LM head. Runs on the inference engine: on the CPU, the Java engine.
 */
public final class LikelihoodScorer {
    private static final int MAX_WINDOW = 1024;
    /** Tokens per batched forward at most. */
    private static final int BATCH_TOKENS = 8192;
    /** Attention scores ({@code B·heads·W²}) and logits of one batched forward at most, in floats (16 MB). */
    private static final long BATCH_FLOATS = 4L << 20;

    private final OlmoConfig config;
    /** The DJL model, or null on the Java engine. */
    private final OlmoModel model;
    /** The Java engine's model, or null on DJL. */
    private final CpuOlmo cpu;

    /** Scores with a DJL model, on the inference engine ({@link CpuOlmo#forInference}). */
    public LikelihoodScorer(OlmoModel model) {
        this.config = model.config();
        this.cpu = CpuOlmo.forInference(model);
        this.model = cpu == null ? model : null;
    }

    /** Scores on the Java engine. */
    public LikelihoodScorer(CpuOlmo model) {
        this.config = model.config();
        this.model = null;
        this.cpu = model;
    }

    /** The window length in tokens: the model's context, at most {@value #MAX_WINDOW}. */
    public int window() {
        return Math.min(config.maxPositionEmbeddings, MAX_WINDOW);
    }

    /**
     * {@code −ln p(ids[i] | ids[<i])} for i = 1..n−1 (the first id, e.g. a BOS, is context only).
     *
     * @return an array of length {@code ids.length − 1}, in nats
     */
    public double[] tokenNll(int[] ids) {
        return tokenNll(ids, done -> { });
    }

    /**
     * As {@link #tokenNll(int[])}, reporting after every batched forward how many tokens are scored so far.
     *
     * @throws IllegalStateException when the model gives a token a non-finite log-probability
     */
    public double[] tokenNll(int[] ids, LongConsumer onScored) {
        OlmoModel.checkIds(config, ids);
        double[] nll = new double[ids.length - 1];
        if (nll.length == 0) {
            return nll;
        }
        int w = Math.min(window(), ids.length);
        if (w < 2) {
            throw new IllegalArgumentException("a context of " + w + " position cannot score a token after another");
        }
        int stride = w - Math.max(1, w / 4);
        int windows = ids.length == w ? 1 : 1 + (ids.length - w + stride - 1) / stride;
        long perWindow = Math.max((long) w * config.vocabSize, (long) config.numAttentionHeads * w * w);
        int perBatch = (int) Math.max(1, Math.min(BATCH_TOKENS / w, BATCH_FLOATS / perWindow));
        int scoredUpTo = 1; // the next token without a score
        for (int first = 0; first < windows; first += perBatch) {
            int[] begins = new int[Math.min(perBatch, windows - first)];
            for (int k = 0; k < begins.length; k++) {
                // the last window ends at the last token, so that all windows have length w and batch together
                begins[k] = Math.min((first + k) * stride, ids.length - w);
            }
            scoredUpTo = scoreBatch(ids, w, begins, scoredUpTo, nll);
            onScored.accept(scoredUpTo - 1);
        }
        return nll;
    }

    /**
     * One forward over the windows {@code [b, b + w)} of {@code begins}; each scores the tokens from where the one
     * before stopped to its end. The head runs from the earliest position any of them needs. Returns the next token
     * without a score.
     */
    private int scoreBatch(int[] ids, int w, int[] begins, int scoredUpTo, double[] nll) {
        int n = begins.length;
        int[] from = new int[n]; // the first position a window scores (position p predicts token p + 1)
        int next = scoredUpTo;
        for (int k = 0; k < n; k++) {
            from[k] = next - 1 - begins[k];
            next = begins[k] + w;
        }
        int lo = Arrays.stream(from).min().getAsInt();
        int rows = w - 1 - lo;
        int[] flat = new int[n * w];
        long[] targets = new long[n * rows];
        for (int k = 0; k < n; k++) {
            System.arraycopy(ids, begins[k], flat, k * w, w);
            for (int r = 0; r < rows; r++) {
                targets[k * rows + r] = ids[begins[k] + lo + r + 1];
            }
        }
        float[] picked = cpu != null ? javaLogProbs(flat, n, w, lo) : djlLogProbs(flat, n, w, lo, targets, rows);
        for (int k = 0; k < n; k++) {
            for (int p = from[k]; p < w - 1; p++) {
                int target = begins[k] + p + 1;
                float lp = picked[k * rows + p - lo];
                if (!Float.isFinite(lp)) {
                    throw new IllegalStateException("the model gives token " + target + " (id " + ids[target]
                            + ") a log-probability of " + lp + ": its activations overflow");
                }
                nll[target - 1] = -lp;
            }
        }
        return next;
    }

    /** Log-probabilities of each window's tokens after position {@code lo}, {@code [n, w − 1 − lo]}, by one batched forward. */
    private float[] djlLogProbs(int[] flat, int n, int w, int lo, long[] targets, int rows) {
        try (NDScope ignored = new NDScope()) {
            NDArray hidden = model.hidden(Ops.ids(model.params().manager(), flat, n, w), null);
            NDArray logp = model.head(hidden.get(":, " + lo + ":" + (w - 1) + ", :")).logSoftmax(-1);
            return logp.gather(Ops.longs(model.params().manager(), targets, n, rows, 1), 2).toFloatArray();
        }
    }

    /** As {@link #djlLogProbs}, window by window on the Java engine. */
    private float[] javaLogProbs(int[] flat, int n, int w, int lo) {
        int rows = w - 1 - lo;
        float[] out = new float[n * rows];
        for (int k = 0; k < n; k++) {
            System.arraycopy(cpu.nextTokenLogProbs(Arrays.copyOfRange(flat, k * w, (k + 1) * w), lo), 0, out, k * rows, rows);
        }
        return out;
    }
}
