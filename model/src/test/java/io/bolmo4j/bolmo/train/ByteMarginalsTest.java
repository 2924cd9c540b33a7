package io.bolmo4j.bolmo.train;

import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ByteMarginalsTest {
    static final BpeTokenizer TOK = Cl100kVocab.firstRanks(400).tokenizer();

    /** A random teacher distribution over the text tokens (special ids get no mass), as log-probabilities. */
    static float[] randomTeacher(int rows, int vocab, long seed) {
        Random rnd = new Random(seed);
        float[] lp = new float[rows * vocab];
        for (int r = 0; r < rows; r++) {
            double[] w = new double[vocab];
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                boolean text = !TOK.isSpecial(v) && TOK.isValidId(v);
                w[v] = text ? Math.exp(3 * rnd.nextGaussian()) : 0;
                sum += w[v];
            }
            for (int v = 0; v < vocab; v++) {
                lp[r * vocab + v] = (float) Math.log(w[v] / sum);
            }
        }
        return lp;
    }

    @Test
    void targetsAreDistributionsThatFactoriseTheTeachersTokenProbability() {
        List<int[]> rows = TokenBatch.examples(List.of("the whale swam in the sea", "and then the"), TOK, 64);
        TokenBatch bt = TokenBatch.of(rows, TOK, SubwordSuffixTrie.of(TOK), 64);
        int vocab = TOK.vocabSize();
        float[] teacher = randomTeacher(bt.batch * bt.patches, vocab, 5);
        ByteMarginals.Targets t = new ByteMarginals(TOK).of(bt, teacher, vocab);
        int n = ByteTokenizer.VOCAB;
        for (int r = 0; r < bt.batch; r++) {
            int masked = 0;
            for (int pos = 0; pos < bt.length; pos++) {
                double sum = 0;
                for (int id = 0; id < n; id++) {
                    sum += t.probs()[(r * bt.length + pos) * n + id];
                }
                if (t.mask()[r * bt.length + pos] > 0) {
                    masked++;
                    assertEquals(1.0, sum, 1e-4, "row " + r + " position " + pos);
                } else {
                    assertEquals(0.0, sum, 0.0);
                }
            }
            assertEquals(bt.realBytes[r] - 1, masked, "every position that predicts a byte of a teacher token");
            // Along a token's bytes the targets of its actual (fused) labels multiply to the teacher's probability
            // of the token: the byte-level view loses nothing of the subword distribution.
            int pos = 0;
            for (int j = 0; j < bt.tokens[r]; j++) {
                double logProduct = 0;
                for (int k = 0; k < TOK.tokenBytes(bt.tokenRows[r][j]).length; k++, pos++) {
                    logProduct += Math.log(t.probs()[(r * bt.length + pos) * n + bt.labels[r][pos]]);
                }
                double expected = teacher[(r * bt.patches + j) * vocab + bt.tokenRows[r][j]];
                assertEquals(expected, logProduct, 1e-3, "token " + j + " of row " + r);
            }
        }
    }

    @Test
    void aConfidentTeacherGivesTheFirstByteOfItsToken() {
        List<int[]> rows = TokenBatch.examples(List.of("the whale"), TOK, 64);
        TokenBatch bt = TokenBatch.of(rows, TOK, SubwordSuffixTrie.of(TOK), 64);
        int vocab = TOK.vocabSize();
        int other = TOK.encodeIds(" sea")[0];
        float[] teacher = new float[bt.patches * vocab];
        Arrays.fill(teacher, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < bt.patches; j++) {
            teacher[j * vocab + other] = 0; // all mass on " sea", whatever the text says
        }
        ByteMarginals.Targets t = new ByteMarginals(TOK).of(bt, teacher, vocab);
        int n = ByteTokenizer.VOCAB;
        // position 0 (BOS) predicts the first byte of the first token: the teacher says ' ' of " sea", not "t" of "the"
        int space = ByteTokenizer.OFFSET + ' ' + (TOK.tokenBytes(other).length == 1 ? ByteTokenizer.FUSED : 0);
        assertEquals(1.0, t.probs()[space], 1e-6);
        assertTrue(t.mask()[0] > 0);
        // inside the first token ("t…") no token the teacher believes in shares its prefix: no target there
        for (int k = 1; k < TOK.tokenBytes(bt.tokenRows[0][0]).length; k++) {
            assertEquals(0f, t.mask()[k], "position " + k);
        }
    }
}
