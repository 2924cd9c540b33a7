package io.bolmo4j.bolmo.eval;

import ai.djl.ndarray.NDScope;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.bolmo.train.TokenBatch;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.olmo.LikelihoodScorer;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Held-out metrics of a byteified model next to its teacher (docs/bolmo.md §9): boundary accuracy, precision and recall of the
 * non-causal predictor against the subword tokenizer's token ends, bytes per patch, and bits per byte of Bolmo (with
 * boundary folding) and of the teacher on the same bytes. Texts are cut into chunks of whole tokens.
 */
public final class BolmoEval {
    /** Held-out characters an evaluation reads unless told otherwise (an equal share of each built-in source). */
    public static final int DEFAULT_HELD_OUT = 20_000;
    /** The fewest held-out characters a report means something on: 25 of each of the four built-in sources. */
    public static final int MIN_HELD_OUT = 100;

    /** Checks a held-out size before any work, in the words of {@code name} (an option, a parameter). */
    public static void requireHeldOut(String name, long chars) {
        if (chars < MIN_HELD_OUT) {
            throw new IllegalArgumentException(name + " must be an integer >= " + MIN_HELD_OUT + " (25 characters of each"
                    + " built-in source), got " + chars);
        }
    }
    /** Bytes per scored chunk (whole tokens). */
    public static final int CHUNK_BYTES = 512;

    /** The figures, over {@code bytes} scored bytes. */
    public record Result(long bytes, double boundaryAccuracy, double boundaryPrecision, double boundaryRecall,
                         double bytesPerPatch, double subwordBytesPerPatch, double bolmoBitsPerByte,
                         double subwordBoundaryBitsPerByte, double teacherBitsPerByte) {
        /** The figures as a JSON object (full precision; a missing teacher is {@code null}). */
        public String toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("bytes", bytes);
            put(o, "boundary_accuracy", boundaryAccuracy);
            put(o, "boundary_precision", boundaryPrecision);
            put(o, "boundary_recall", boundaryRecall);
            put(o, "bytes_per_patch", bytesPerPatch);
            put(o, "subword_bytes_per_patch", subwordBytesPerPatch);
            put(o, "bits_per_byte", bolmoBitsPerByte);
            put(o, "bits_per_byte_subword_boundaries", subwordBoundaryBitsPerByte);
            put(o, "teacher_bits_per_byte", teacherBitsPerByte);
            return o.toString();
        }

        private static void put(JsonObject o, String key, double v) {
            if (Double.isFinite(v)) {
                o.addProperty(key, v);
            } else {
                o.add(key, JsonNull.INSTANCE);
            }
        }

        /** One line, 4 significant digits; the teacher's figures only when a teacher was given. */
        @Override
        public String toString() {
            String teacher = Double.isNaN(teacherBitsPerByte) ? "" : String.format(Locale.ROOT, " teacher=%.4g (ratio %.4g)",
                    teacherBitsPerByte, bolmoBitsPerByte / teacherBitsPerByte);
            return String.format(Locale.ROOT, "bytes=%d boundary acc=%.4g prec=%.4g rec=%.4g bytes/patch=%.4g (subword %.4g)"
                            + " bits/byte bolmo=%.4g (with subword boundaries %.4g)%s", bytes,
                    boundaryAccuracy, boundaryPrecision, boundaryRecall, bytesPerPatch, subwordBytesPerPatch, bolmoBitsPerByte,
                    subwordBoundaryBitsPerByte, teacher);
        }
    }

    private BolmoEval() {}

    /**
     * @param teacher may be null (then the teacher's bits per byte are NaN)
     * @param chunkBytes bytes per scored chunk (whole tokens)
     */
    public static Result evaluate(BolmoModel model, OlmoModel teacher, BpeTokenizer tok, List<String> texts, int chunkBytes) {
        Backend.noGrad();
        SubwordSuffixTrie trie = SubwordSuffixTrie.of(tok);
        long tp = 0, fp = 0, fn = 0, agree = 0, positions = 0, predictedPatches = 0, subwordPatches = 0, bytes = 0;
        double bolmoNll = 0, oracleNll = 0, teacherNll = 0;
        for (int[] tokens : TokenBatch.examples(texts, tok, chunkBytes)) {
            TokenBatch one = TokenBatch.of(List.of(tokens), tok, trie, chunkBytes);
            int real = one.realBytes[0];
            int[] ids = Arrays.copyOf(one.bytes[0], real + 1);
            ids[real] = ByteTokenizer.OFFSET + '\n'; // lookahead for the last byte (docs/bolmo.md §3.7)
            try (NDScope ignored = new NDScope()) {
                BolmoModel.Forward f = model.forward(ids, trie, null);
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
                bolmoNll += ByteTokenizer.foldedNll(f.logits().logSoftmax(-1).toFloatArray(), ids, 0, real - 1);
                // the same bytes with the tokenizer's patches (Table 3's oracle): what boundary errors cost. Optimistic:
                // the tokenizer saw whole words, so its patch ends also tell the model where each word stops
                boolean[] ends = Arrays.copyOf(one.ends[0], ids.length);
                ends[real] = false;
                oracleNll += ByteTokenizer.foldedNll(model.forward(ids, trie, ends).logits().logSoftmax(-1).toFloatArray(), ids, 0, real - 1);
            }
            bytes += real - 1;
            if (teacher != null) {
                int[] withBos = IntStream.concat(IntStream.of(tok.bosId()), Arrays.stream(tokens)).toArray();
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
}
