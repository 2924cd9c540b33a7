package io.bolmo4j.bolmo.train;

import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.util.stream.IntStream;

/**
 * The teacher's whole next-token distribution turned into targets for Bolmo's fused byte head. For teacher token j
 * with bytes c_1..c_n, the position that predicts byte k+1 of it (k bytes of the patch already seen) gets the
 * distribution of the teacher's tokens that start with c_1..c_k and are longer than k, by their byte k+1 and by
 * whether that byte ends them (the fused id). At k = 0 this is the teacher's distribution over the next patch's first
 * byte. This is byte-level knowledge distillation: it teaches the local decoder what the LM head would say about every
 * alternative, not only how likely the actual token is, which makes the decoder follow the global model's states
 * where they leave the pretraining distribution (the instruct states of a task-vector merge).
 */
final class ByteMarginals {
    private final byte[][] tokenBytes; // null for ids that never occur in text

    ByteMarginals(BpeTokenizer tokenizer) {
        tokenBytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < tokenBytes.length; id++) {
            if (!tokenizer.isSpecial(id) && tokenizer.isValidId(id)) {
                tokenBytes[id] = tokenizer.tokenBytes(id);
            }
        }
    }

    /** The text tokens whose first byte is one of {@code firstBytes} (ASCII). */
    long[] idsStartingWith(String firstBytes) {
        return IntStream.range(0, tokenBytes.length)
                .filter(id -> tokenBytes[id] != null && firstBytes.indexOf(tokenBytes[id][0]) >= 0)
                .asLongStream().toArray();
    }

    /** Targets and the positions they cover. */
    record Targets(float[] probs, float[] mask, double meanEntropy) {}

    /**
     * @param teacherLogp row-major {@code [B, P, V]} teacher log-probabilities at the batch's teacher positions
     * @param vocab       V
     * @return {@code [B, L, 520]} probabilities, and a {@code [B, L]} mask of the positions inside a teacher token whose prefix has teacher mass
     */
    Targets of(TokenBatch bt, float[] teacherLogp, int vocab) {
        int l = bt.length, p = bt.patches, n = ByteTokenizer.VOCAB;
        float[] probs = new float[bt.batch * l * n];
        float[] mask = new float[bt.batch * l];
        double entropy = 0;
        int positions = 0;
        for (int r = 0; r < bt.batch; r++) {
            int start = 1; // byte index of token j's first byte (0 is BOS)
            for (int j = 0; j < bt.tokens[r]; j++) {
                byte[] c = tokenBytes[bt.tokenRows[r][j]];
                int row = (r * p + j) * vocab;
                double[][] dist = new double[c.length][n];
                // one pass over the vocabulary: token w feeds every position k up to where it parts from c
                for (int v = 0; v < tokenBytes.length; v++) {
                    byte[] w = tokenBytes[v];
                    if (w == null) {
                        continue;
                    }
                    double pv = Math.exp(teacherLogp[row + v]);
                    int last = Math.min(Math.min(w.length - 1, c.length - 1), commonPrefix(w, c));
                    for (int k = 0; k <= last; k++) {
                        dist[k][ByteTokenizer.OFFSET + (w[k] & 0xFF) + (w.length == k + 1 ? ByteTokenizer.FUSED : 0)] += pv;
                    }
                }
                for (int k = 0; k < c.length; k++) {
                    double sum = 0;
                    for (double x : dist[k]) {
                        sum += x;
                    }
                    if (!(sum > 0)) {
                        continue; // the teacher gives the actual prefix no mass (underflow): no target here
                    }
                    int pos = r * l + start - 1 + k;
                    mask[pos] = 1;
                    positions++;
                    for (int id = 0; id < n; id++) {
                        if (dist[k][id] > 0) {
                            double q = dist[k][id] / sum;
                            probs[pos * n + id] = (float) q;
                            entropy -= q * Math.log(q);
                        }
                    }
                }
                start += c.length;
            }
        }
        return new Targets(probs, mask, positions == 0 ? 0 : entropy / positions);
    }

    /** Length of the common prefix of {@code a} and {@code b}. */
    private static int commonPrefix(byte[] a, byte[] b) {
        int i = 0;
        while (i < a.length && i < b.length && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
