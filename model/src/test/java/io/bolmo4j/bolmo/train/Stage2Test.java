package io.bolmo4j.bolmo.train;

import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.train.Trainer;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Stage2Test {
    @Test
    void bpeMergesFollowPairFrequencyAndIndicesInTheNewList() {
        // (7,8) occurs twice: it is merged first, at new indices 0 and 1; then the only pairs left are merged
        List<Integer> merges = PatchMerges.bpe(new int[] {7, 8, 7, 8, 9}, new Random(0));
        assertEquals(List.of(0, 1), merges.subList(0, 2));
        assertEquals(4, merges.size(), "5 ids merge down to one in 4 replacements");
        List<Integer> lens = List.of(1, 3, 2, 3, 2, 4); // BOS patch, then the 5 tokens
        List<Integer> merged = PatchMerges.apply(lens, merges, 3.75, 15);
        assertEquals(List.of(1, 5, 5, 4), merged, "both (7,8) pairs joined, then 15/4 = 3.75 reaches the ratio");
        List<Integer> all = PatchMerges.apply(lens, merges, 7.5, 15);
        assertEquals(List.of(1, 14), all, "7.5 bytes per patch needs every merge");
        assertEquals(15, all.stream().mapToInt(Integer::intValue).sum(), "bytes are conserved");
        assertTrue(PatchMerges.apply(lens, merges, 2.0, 15).equals(lens), "already at the ratio: no merge");
    }

    @Test
    void scoreMergesJoinTheMostPredictablePairFirst() {
        // pair sums: (-1,-5)=-6, (-5,-0.5)=-5.5, (-0.5,-0.2)=-0.7 -> merge index 2 first, its unit scores -0.7
        List<Integer> m = PatchMerges.byScore(new double[] {-1, -5, -0.5, -0.2}, new Random(1));
        assertEquals(List.of(2, 1, 0), m, "then (-5,-0.7) = -5.7 beats (-1,-5) = -6; then the rest");
    }

    @Test
    void stage2TrainsEverythingAndCompressionTargetsReachTheRatio() {
        OlmoConfig tc = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 256);
        try (OlmoModel teacher = OlmoModel.random(tc, 1);
             BolmoModel student = Byteify.fromTeacher(teacher, Stage1Test.TOK.vocabSize(), 2)) {
            new Stage1(student, teacher, Stage1Test.TOK).run(Stage1Test.TEXTS,
                    Stage1.Config.defaults().with("steps", 15).with("batch", 4).with("bytesPerExample", 64).with("lr", 3e-3).with("encoderLayers", 1).with("seed", 3), s -> { });
            float[] globalBefore = student.params().get("model.layers.0.mlp.up_proj.weight").toFloatArray();
            float[] teacherBefore = teacher.params().get("model.layers.0.mlp.up_proj.weight").toFloatArray();
            List<Trainer.Step> log = new ArrayList<>();
            Stage2 s2 = new Stage2(student, Stage1Test.TOK);
            s2.run(Stage1Test.TEXTS, Stage2.Config.defaults().with("steps", 20).with("batch", 4).with("bytesPerExample", 64).with("lr", 2e-3).with("seed", 4), log::add);
            assertTrue(log.get(19).parts().get("ce") < log.get(0).parts().get("ce"), "CE falls");
            assertFalse(Arrays.equals(globalBefore, student.params().get("model.layers.0.mlp.up_proj.weight").toFloatArray()),
                    "the global model trains in Stage 2");
            Assertions.assertArrayEquals(teacherBefore,
                    teacher.params().get("model.layers.0.mlp.up_proj.weight").toFloatArray(), "the teacher is a separate copy");
            // compressed targets at the end of the schedule reach 6 bytes per patch where merges allow
            Stage2 c = new Stage2(student, Stage1Test.TOK);
            Stage2.Config compressed = Stage2.Config.defaults().with("steps", 0).with("batch", 1).with("bytesPerExample", 64).with("lr", 1e-3)
                    .with("targetBytesPerPatch", 6.0).with("compressionSteps", 10).with("seed", 5);
            c.run(Stage1Test.TEXTS, compressed, s -> { });
            List<int[]> ex = TokenBatch.examples(Stage1Test.TEXTS, Stage1Test.TOK, 64);
            TokenBatch bt = TokenBatch.of(ex.subList(0, 3), Stage1Test.TOK, SubwordSuffixTrie.of(Stage1Test.TOK), 64);
            boolean[][] y = c.targets(bt, 10, compressed);
            for (int r = 0; r < 3; r++) {
                int ends = 0;
                for (boolean e : y[r]) {
                    ends += e ? 1 : 0;
                }
                assertTrue((double) bt.realBytes[r] / ends >= 6.0, "row " + r + ": " + bt.realBytes[r] + " bytes / " + ends);
                assertTrue(y[r][0] && y[r][bt.realBytes[r] - 1], "BOS and the last byte still end patches");
            }
        }
    }
}
