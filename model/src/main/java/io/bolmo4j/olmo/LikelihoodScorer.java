package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Ops;

/**
 * Per-token negative log-likelihoods of a sequence under an {@link OlmoModel}. Sequences longer than the model's
 * context are scored with a sliding window: every token after the first window is predicted from at least half a
 * window of context.
 */
public final class LikelihoodScorer {
    private final OlmoModel model;

    public LikelihoodScorer(OlmoModel model) {
        this.model = model;
    }

    /**
     * {@code −ln p(ids[i] | ids[<i])} for i = 1..n−1 (the first id, e.g. a BOS, is context only).
     *
     * @return an array of length {@code ids.length − 1}, in nats
     */
    public double[] tokenNll(int[] ids) {
        model.checkIds(ids);
        int window = Math.min(model.config().maxPositionEmbeddings, 1024);
        int stride = Math.max(1, window / 2);
        double[] nll = new double[ids.length - 1];
        int scoredUpTo = 1; // next position whose token still needs a score
        for (int begin = 0; scoredUpTo < ids.length; begin += stride) {
            int end = Math.min(ids.length, begin + window);
            scoreWindow(ids, begin, end, scoredUpTo, nll);
            scoredUpTo = end;
        }
        return nll;
    }

    private void scoreWindow(int[] ids, int begin, int end, int firstTarget, double[] nll) {
        int len = end - begin;
        int[] window = java.util.Arrays.copyOfRange(ids, begin, end);
        try (NDScope ignored = new NDScope()) {
            NDArray logp = model.logits(Ops.ids(model.params().manager(), window, 1, len), null).logSoftmax(-1);
            // position p predicts token p+1
            long[] targets = new long[len - 1];
            for (int p = 0; p < len - 1; p++) {
                targets[p] = window[p + 1];
            }
            NDArray idx = Ops.longs(model.params().manager(), targets, 1, len - 1, 1);
            float[] picked = logp.get(":, :-1, :").gather(idx, 2).toFloatArray();
            for (int p = 0; p < len - 1; p++) {
                int target = begin + p + 1;
                if (target >= firstTarget) {
                    nll[target - 1] = -picked[p];
                }
            }
        }
    }
}
