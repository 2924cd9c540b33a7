package io.bolmo4j.cpu;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.ByteTokenizer;
import io.bolmo4j.bolmo.Patches;
import io.bolmo4j.bolmo.SubwordSuffixTrie;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.olmo.FamiliesTest;
import io.bolmo4j.olmo.KvCache;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java engine's Bolmo against the DJL path: logits within 1e-5 relative, the same boundaries. */
class CpuBolmoTest {
    static final BpeTokenizer TOK = Cl100kVocab.firstRanks(512).tokenizer();
    static final SubwordSuffixTrie TRIE = SubwordSuffixTrie.of(TOK);
    static final int[] IDS = ByteTokenizer.encode("Hello, wörld! Call me Ishmael. Some years ago");

    @TempDir
    Path dir;

    /** A Bolmo on an Olmo 3 global model (a sliding window of 3, GQA) with 4 local heads and an odd local SwiGLU. */
    static BolmoModel model(long seed, int lookahead) {
        return model(OlmoConfig.of("olmo3", 640, 32, 64, 2, 4, 2, 256).with("sliding_window", 3)
                .with("layer_types", List.of(OlmoConfig.SLIDING, OlmoConfig.FULL)), seed, lookahead);
    }

    /** A Bolmo on {@code teacher}'s layers with 4 local heads and an odd local SwiGLU. */
    static BolmoModel model(OlmoConfig teacher, long seed, int lookahead) {
        BolmoConfig cfg = BolmoConfig.fromTeacher(teacher, TOK.vocabSize()).with("num_local_heads", 4)
                .with("local_intermediate_size", 45).with("num_local_decoder_layers", 2)
                .with("boundary_predictor_lookahead", lookahead);
        return BolmoModel.random(cfg, seed);
    }

    private static double relativeError(float[] got, float[] want) {
        return CpuOlmoTest.relativeError(new float[][] {got}, new float[][] {want});
    }

    private static void assertForwardAgrees(BolmoModel djl, CpuBolmo cpu) {
        try (NDScope ignored = new NDScope()) {
            BolmoModel.Forward want = djl.forward(IDS, TRIE, null);
            CpuBolmo.Forward got = cpu.forward(IDS, TRIE.expand(IDS), null);
            boolean[] wantEnds = new boolean[IDS.length];
            for (int t = 0; t < IDS.length; t++) {
                wantEnds[t] = want.patches().isBoundary(0, t);
            }
            assertArrayEquals(wantEnds, got.boundaries(), "the same patch ends");
            assertEquals(want.patches().count(0), got.patches());
            double lp = relativeError(got.boundaryLogProb(), want.boundaryLogProb().toFloatArray());
            assertTrue(lp < 1e-5, "boundary log-probability relative error " + lp);
            double err = relativeError(got.logits(), want.logits().toFloatArray());
            assertTrue(err < CpuOlmoTest.TOLERANCE, "relative logit error " + err);
        }
    }

    @Test
    void forwardAgreesWithTheDjlPathWithAndWithoutLookahead() {
        for (int lookahead : new int[] {1, 0}) {
            try (BolmoModel m = model(3, lookahead)) {
                assertForwardAgrees(m, CpuBolmo.of(m));
            }
        }
    }

    /** Bolmos byteified from Llama (every bias), Qwen 2.5 (sliding layers) and Qwen 3 (per-head QK-norm) teachers. */
    @Test
    void globalModelsOfEveryFamilyAgreeWithTheDjlPath() {
        long seed = 20;
        for (OlmoConfig teacher : List.of(FamiliesTest.llamaBiases(), FamiliesTest.qwen2Sliding(), FamiliesTest.qwen3())) {
            try (BolmoModel m = model(teacher, seed, 1)) {
                FamiliesTest.perturb(m.params(), seed++);
                assertForwardAgrees(m, CpuBolmo.of(m));
                BolmoCheckpoint.save(m, dir.resolve(teacher.modelType), true, "{}");
            }
            try (BolmoModel exact = BolmoCheckpoint.load(dir.resolve(teacher.modelType))) {
                assertForwardAgrees(exact, CpuBolmo.load(dir.resolve(teacher.modelType)));
            }
        }
    }

    @Test
    void mappedBf16CheckpointAgreesWithTheDjlPathOnTheSameValues() {
        try (BolmoModel m = model(4, 1)) {
            BolmoCheckpoint.save(m, dir, true, "{}");
        }
        try (BolmoModel exact = BolmoCheckpoint.load(dir)) {
            assertForwardAgrees(exact, CpuBolmo.load(dir));
        }
    }

    @Test
    void sessionStepsEqualTheDjlPrefillAndSteps() {
        try (BolmoModel m = model(5, 1); NDManager nd = Backend.newManager(); KvCache cache = new KvCache(2, 8)) {
            Backend.noGrad();
            int[] subs = TRIE.expand(IDS);
            int prefix = 9;
            boolean[] ends = new boolean[IDS.length];
            for (int t = 0; t < ends.length; t += 3) {
                ends[t] = true; // a patch of three bytes each
            }
            CpuBolmo.Session session = CpuBolmo.of(m).newSession(2); // the cache grows
            float[] got = session.prefill(Arrays.copyOf(IDS, prefix), Arrays.copyOf(subs, prefix), Arrays.copyOf(ends, prefix));
            try (NDScope ignored = new NDScope()) {
                BolmoModel.Cached s = m.prefill(Ops.ids(nd, Arrays.copyOf(IDS, prefix), 1, prefix),
                        Ops.ids(nd, Arrays.copyOf(subs, prefix), 1, prefix), Patches.of(new boolean[][] {Arrays.copyOf(ends, prefix)}), cache);
                assertTrue(relativeError(got, s.logits().toFloatArray()) < CpuOlmoTest.TOLERANCE);
                for (int t = prefix; t < IDS.length; t++) {
                    s = m.step(Ops.ids(nd, new int[] {IDS[t]}, 1), Ops.ids(nd, new int[] {subs[t]}, 1), ends[t], s, cache);
                    float[] want = s.logits().toFloatArray();
                    got = session.step(IDS[t], subs[t], ends[t]);
                    double err = relativeError(got, want);
                    assertTrue(err < CpuOlmoTest.TOLERANCE, "byte " + t + ": relative logit error " + err);
                }
            }
        }
    }
}
