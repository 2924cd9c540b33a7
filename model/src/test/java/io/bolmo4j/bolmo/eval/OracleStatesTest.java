package io.bolmo4j.bolmo.eval;

import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.bolmo.train.TokenBatch;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class OracleStatesTest {
    static final BpeTokenizer TOK = Cl100kVocab.firstRanks(400).tokenizer();

    @Test
    void ownStatesScoreLikeTheFullForwardWithSubwordBoundariesAndTeacherStatesDiffer() {
        OlmoConfig tc = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 256);
        String context = "the whale swam\n", continuation = "in the sea\n";
        try (OlmoModel teacher = OlmoModel.random(tc, 1);
             BolmoModel bolmo = Byteify.fromTeacher(teacher, TOK.vocabSize(), 2)) {
            OracleStates oracle = new OracleStates(bolmo, TOK);
            double[] own = new double[2], fed = new double[2];
            oracle.score(null, context, continuation, own);
            oracle.score(teacher, context, continuation, fed);

            // the same bits from the model's own forward, patches forced to the teacher's tokens
            SubwordSuffixTrie trie = SubwordSuffixTrie.of(TOK);
            String full = context + continuation;
            TokenBatch one = TokenBatch.of(List.of(TOK.encodeIds(full)), TOK, trie, full.length() + 1);
            int[] ids = Arrays.copyOf(one.bytes[0], one.realBytes[0]);
            double bits = 0;
            try (NDScope ignored = new NDScope()) {
                float[] lp = bolmo.forward(ids, trie, Arrays.copyOf(one.ends[0], ids.length)).logits().logSoftmax(-1).toFloatArray();
                for (int t = context.length(); t < full.length(); t++) {
                    bits -= ByteTokenizer.foldedLogProb(lp, t, ids[t + 1]) / Math.log(2);
                }
            }
            assertEquals(continuation.length(), own[1]);
            assertEquals(bits, own[0], 1e-3 * bits);
            assertEquals(own[1], fed[1]);
            assertNotEquals(own[0], fed[0], 1e-3, "an untrained encoder's patches are not the teacher's embeddings");
        }
    }
}
