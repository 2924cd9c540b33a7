package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDScope;
import io.bolmo4j.olmo.LikelihoodScorer;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Held-out metrics of a byteified model next to its teacher (spec §9): boundary accuracy, precision and recall of the
 * non-causal predictor against the subword tokenizer's token ends, bytes per patch, and bits per byte of Bolmo (with
 * boundary folding) and of the teacher on the same bytes. Texts are cut into chunks of whole tokens.
 */
public final class BolmoEval {
    /** The figures, over {@code bytes} scored bytes. */
    public record Result(long bytes, double boundaryAccuracy, double boundaryPrecision, double boundaryRecall,
                         double bytesPerPatch, double subwordBytesPerPatch, double bolmoBitsPerByte,
                         double subwordBoundaryBitsPerByte, double teacherBitsPerByte) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "bytes=%d boundary acc=%.4f prec=%.4f rec=%.4f bytes/patch=%.3f (subword %.3f)"
                            + " bits/byte bolmo=%.4f (with subword boundaries %.4f) teacher=%.4f (ratio %.3f)", bytes,
                    boundaryAccuracy, boundaryPrecision, boundaryRecall, bytesPerPatch, subwordBytesPerPatch, bolmoBitsPerByte,
                    subwordBoundaryBitsPerByte, teacherBitsPerByte, bolmoBitsPerByte / teacherBitsPerByte);
        }
    }

    private BolmoEval() {}

    /**
     * @param teacher may be null (then the teacher's bits per byte are NaN)
     * @param chunkBytes bytes per scored chunk (whole tokens)
     */
    public static Result evaluate(BolmoModel model, OlmoModel teacher, BpeTokenizer tok, List<String> texts, int chunkBytes) {
        io.bolmo4j.engine.Backend.noGrad();
        SubwordSuffixTrie trie = SubwordSuffixTrie.of(tok);
        long tp = 0, fp = 0, fn = 0, agree = 0, positions = 0, predictedPatches = 0, subwordPatches = 0, bytes = 0;
        double bolmoNll = 0, oracleNll = 0, teacherNll = 0;
        for (int[] tokens : Stage1Batch.examples(texts, tok, chunkBytes)) {
            Stage1Batch one = Stage1Batch.of(List.of(tokens), tok, trie, chunkBytes);
            int real = one.realBytes[0];
            int[] ids = Arrays.copyOf(one.bytes[0], real + 1);
            ids[real] = ByteTokenizer.OFFSET + '\n'; // lookahead for the last byte (spec §3.7)
            try (NDScope ignored = new NDScope()) {
                BolmoModel.Forward f = model.forward(ids, trie, null);
                float[] lp = f.logits().logSoftmax(-1).toFloatArray();
                for (int t = 1; t < real; t++) {
                    boolean want = one.ends[0][t], got = f.patches().isBoundary(0, t);
                    tp += want && got ? 1 : 0;
                    fp += !want && got ? 1 : 0;
                    fn += want && !got ? 1 : 0;
                    agree += want == got ? 1 : 0;
                    positions++;
                    predictedPatches += got ? 1 : 0;
                    subwordPatches += want ? 1 : 0;
                }
                bolmoNll += foldedNll(lp, ids, real);
                // the same bytes with the tokenizer's patches (Table 3's oracle): what boundary errors cost. Optimistic:
                // the tokenizer saw whole words, so its patch ends also tell the model where each word stops
                boolean[] ends = Arrays.copyOf(one.ends[0], ids.length);
                ends[real] = false;
                float[] lpOracle = model.forward(ids, trie, ends).logits().logSoftmax(-1).toFloatArray();
                oracleNll += foldedNll(lpOracle, ids, real);
            }
            bytes += real - 1;
            if (teacher != null) {
                int[] withBos = new int[tokens.length + 1];
                withBos[0] = tok.eosId();
                System.arraycopy(tokens, 0, withBos, 1, tokens.length);
                for (double v : new LikelihoodScorer(teacher).tokenNll(withBos)) {
                    teacherNll += v;
                }
            }
        }
        if (bytes == 0) {
            throw new IllegalArgumentException("nothing to evaluate: texts are empty");
        }
        double ln2 = Math.log(2);
        return new Result(bytes, (double) agree / positions, tp / (double) Math.max(1, tp + fp), tp / (double) Math.max(1, tp + fn),
                (double) bytes / Math.max(1, predictedPatches), (double) bytes / Math.max(1, subwordPatches),
                bolmoNll / ln2 / bytes, oracleNll / ln2 / bytes, teacher == null ? Double.NaN : teacherNll / ln2 / bytes);
    }

    /** Negative log-likelihood of bytes 1..real-1 with the boundary flag folded out (spec §3.7). */
    private static double foldedNll(float[] lp, int[] ids, int real) {
        double nll = 0;
        for (int t = 0; t + 1 < real; t++) {
            nll -= ByteTokenizer.foldedLogProb(lp, t, ids[t + 1]);
        }
        return nll;
    }
}
