package io.bolmo4j.bolmo.train;

import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.train.Trainer;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Stage1Test {
    static final BpeTokenizer TOK = Cl100kVocab.firstRanks(400).tokenizer();
    static final List<String> TEXTS = List.of(
            "The whale swam in the sea, and the sailors watched the whale from the ship. ".repeat(6),
            "In the beginning God created the heaven and the earth. And the earth was without form. ".repeat(6));

    @Test
    void examplesFollowTheTeacherTokenization() {
        SubwordSuffixTrie trie = SubwordSuffixTrie.of(TOK);
        List<int[]> ex = TokenBatch.examples(List.of("the cat sat"), TOK, 64);
        assertEquals(1, ex.size());
        TokenBatch b = TokenBatch.of(ex, TOK, trie, 64);
        int[] toks = ex.get(0);
        assertEquals(1 + "the cat sat".length(), b.realBytes[0]);
        assertEquals(toks.length + 1, b.patches);
        // patch ends at BOS and at each token's last byte; labels are fused exactly there
        int pos = 0;
        assertTrue(b.ends[0][0]);
        for (int t : toks) {
            pos += TOK.tokenBytes(t).length;
            assertTrue(b.ends[0][pos]);
            assertEquals(b.bytes[0][pos] + ByteTokenizer.FUSED, b.labels[0][pos - 1]);
        }
        assertEquals(-1, b.labels[0][b.realBytes[0] - 1], "the last real byte predicts nothing");
        assertEquals(TOK.eosId(), b.teacherIds[0][0]);
        assertEquals(toks[0], b.teacherIds[0][1]);
        assertEquals(toks[0], b.targets[0][0], "teacher position 0 predicts the first token = student patch 1");
    }

    @Test
    void trainingLearnsBoundariesAndLeavesTheGlobalModelFrozen() {
        OlmoConfig tc = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 256);
        try (OlmoModel teacher = OlmoModel.random(tc, 1);
             BolmoModel student = Byteify.fromTeacher(teacher, TOK.vocabSize(), 2)) {
            float[] globalBefore = student.params().get("model.layers.1.mlp.up_proj.weight").toFloatArray();
            float[] encBefore = student.params().get("model.local_encoder.out_projection.weight").toFloatArray();
            Stage1 s1 = new Stage1(student, teacher, TOK);
            List<Trainer.Step> log = new ArrayList<>();
            s1.run(TEXTS, Stage1.Config.defaults().with("steps", 40).with("batch", 4).with("bytesPerExample", 64).with("lr", 3e-3).with("encoderLayers", 1).with("seed", 3), log::add);
            assertEquals(40, log.size());
            double early = (log.get(0).loss() + log.get(1).loss()) / 2;
            double late = (log.get(38).loss() + log.get(39).loss()) / 2;
            assertTrue(late < early * 0.7, "loss " + early + " -> " + late);
            assertTrue(log.get(39).parts().get("boundary_accuracy") > 0.9, "boundary accuracy " + log.get(39).parts().get("boundary_accuracy"));
            assertTrue(log.get(39).parts().get("boundary_bce") < log.get(0).parts().get("boundary_bce"));
            assertTrue(log.get(39).parts().get("byte_distill") < 0.7 * log.get(0).parts().get("byte_distill"),
                    "the decoder moves towards the teacher's byte-level distributions");
            assertArrayEquals(globalBefore, student.params().get("model.layers.1.mlp.up_proj.weight").toFloatArray(),
                    "the global model is frozen in Stage 1");
            float[] encAfter = student.params().get("model.local_encoder.out_projection.weight").toFloatArray();
            assertTrue(!Arrays.equals(encBefore, encAfter), "local parameters train");
        }
    }
}
