package io.bolmo4j.bolmo;

import ai.djl.ndarray.NDScope;
import io.bolmo4j.bolmo.generate.BolmoGenerator;
import io.bolmo4j.cpu.InferenceEngine;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BolmoGenerationTest {
    static final BpeTokenizer TOK = Cl100kVocab.firstRanks(512).tokenizer();

    static BolmoModel tinyModel(long seed, List<String> layerTypes) {
        OlmoConfig teacher = OlmoConfig.of("olmo3", 640, 32, 64, 2, 4, 2, 256).with("sliding_window", 3)
                .with("layer_types", layerTypes);
        BolmoConfig cfg = BolmoConfig.fromTeacher(teacher, TOK.vocabSize())
                .with("num_local_heads", 4).with("local_intermediate_size", 48).with("num_local_decoder_layers", 2);
        return BolmoModel.random(cfg, seed);
    }

    /** docs/bolmo.md §11, I-3: with the boundaries fixed while decoding, every step's logits equal one teacher-forced full forward. */
    private void assertCachedEqualsRecompute(String prompt, SamplingOptions options, int maxPatch) {
        try (BolmoModel m = tinyModel(4, List.of(OlmoConfig.SLIDING, OlmoConfig.FULL))) {
            SubwordSuffixTrie trie = SubwordSuffixTrie.of(TOK);
            BolmoGenerator.Generation g = new BolmoGenerator(m, trie).maxPatchBytes(maxPatch)
                    .generate(ByteTokenizer.encode(prompt), options, true, s -> { });
            int t = g.ids().length;
            int n = g.promptLength();
            assertTrue(t > n, "generated something");
            boolean[][] b = {g.boundaries()};
            try (NDScope s = new NDScope()) {
                var pm = m.params().manager();
                float[] full = m.forward(Ops.ids(pm, g.ids(), 1, t), Ops.ids(pm, trie.expand(g.ids()), 1, t), b)
                        .logits().toFloatArray();
                int start = Math.max(n - 2, 0);
                double worst = 0;
                int compared = 0;
                for (int i = 0; i < g.stepLogits().size() && start + i < t; i++) {
                    float[] step = g.stepLogits().get(i);
                    for (int v = 0; v < 520; v++) {
                        worst = Math.max(worst, Math.abs(step[v] - full[(start + i) * 520 + v]));
                    }
                    compared++;
                }
                assertTrue(compared >= t - n, "compared " + compared + " steps");
                assertTrue(worst < 2e-4, "max abs diff " + worst);
            }
            int patches = 0;
            int run = 0;
            for (boolean e : g.boundaries()) {
                run = e ? 0 : run + 1;
                assertTrue(run < maxPatch, "patch longer than the cap");
                patches += e ? 1 : 0;
            }
            assertTrue(patches >= 1);
        }
    }

    @Test
    void cachedGreedyGenerationEqualsFullRecompute() {
        assertCachedEqualsRecompute("Hello, wörld", SamplingOptions.greedy(24), 128);
    }

    @Test
    void cachedSampledGenerationWithPatchCapEqualsFullRecompute() {
        assertCachedEqualsRecompute("The", new SamplingOptions(30, 1.0, 0, 1, 7), 3);
    }

    @Test
    void emptyPromptStartsFromBos() {
        assertCachedEqualsRecompute("", new SamplingOptions(12, 1.0, 0, 1, 3), 128);
    }

    @Test
    void longTextsAreScoredInWindowsAndShortOnesInOne() {
        try (BolmoModel m = tinyModel(6, List.of(OlmoConfig.FULL, OlmoConfig.FULL))) {
            LoadedBolmo lb = new LoadedBolmo(m, TOK);
            String unit = "Call me Ishmael. Some years ago, never mind how long precisely. ";
            String longText = unit.repeat(80); // ~5 KB: three windows
            var whole = lb.score(longText);
            assertEquals(longText.length(), whole.bytes());
            assertTrue(Double.isFinite(whole.nllNats()) && whole.bitsPerByte() > 0);
            // the first window is scored exactly as the short text alone (same bytes, same lookahead byte)
            String head = longText.substring(0, LoadedBolmo.WINDOW);
            double headAlone = lb.score(head + longText.charAt(LoadedBolmo.WINDOW)).nllNats();
            assertTrue(whole.nllNats() > headAlone * 0.5, "all windows contribute");
        }
    }

    @Test
    void generatedTextDecodesTheGeneratedBytes() {
        try (BolmoModel m = tinyModel(5, List.of(OlmoConfig.FULL, OlmoConfig.FULL))) {
            StringBuilder streamed = new StringBuilder();
            BolmoGenerator.Generation g = new BolmoGenerator(m, SubwordSuffixTrie.of(TOK))
                    .generate("abc", new SamplingOptions(20, 1.0, 0, 1, 1), streamed::append);
            assertEquals(g.text(), streamed.toString());
            int[] cont = Arrays.copyOfRange(g.ids(), g.promptLength(), g.ids().length);
            int[] withBos = new int[cont.length + 1];
            withBos[0] = 1;
            System.arraycopy(cont, 0, withBos, 1, cont.length);
            assertEquals(ByteTokenizer.decode(withBos, true), g.text());
        }
    }

    @Test
    void minNewBytesKeepsSpecialsOutUntilTheLength() {
        try (BolmoModel m = tinyModel(8, List.of(OlmoConfig.FULL, OlmoConfig.FULL))) {
            SubwordSuffixTrie trie = SubwordSuffixTrie.of(TOK);
            int stoppedEarly = 0;
            for (long seed = 0; seed < 4; seed++) {
                SamplingOptions hot = new SamplingOptions(24, 3.0, 0, 1, seed);
                int[] prompt = ByteTokenizer.encode("ab");
                BolmoGenerator.Generation free = new BolmoGenerator(m, trie).generate(prompt, hot, false, s -> { });
                stoppedEarly += free.ids().length - free.promptLength() < 24 ? 1 : 0;
                BolmoGenerator.Generation g = new BolmoGenerator(m, trie).minNewBytes(24).generate(prompt, hot, false, s -> { });
                assertEquals(24, g.ids().length - g.promptLength(), "seed " + seed);
                for (int id : g.ids()) {
                    assertTrue(id == ByteTokenizer.BOS || id >= ByteTokenizer.OFFSET, "special id " + id);
                }
            }
            assertTrue(stoppedEarly > 0, "without the minimum some generation ends at a special");
        }
    }

    /**
     * A Bolmo whose global model has 8 positions: a generation with one byte per patch stops when its patches fill
     * them, and a prompt of more patches is refused, on the Java engine and on DJL alike (the same greedy bytes).
     */
    @Test
    void generationStopsWhenItsPatchesFillTheGlobalContextOnEitherEngine() {
        OlmoConfig teacher = OlmoConfig.of("olmo2", 640, 32, 64, 2, 4, 2, 8);
        BolmoConfig cfg = BolmoConfig.fromTeacher(teacher, TOK.vocabSize()).with("num_local_heads", 4);
        SubwordSuffixTrie trie = SubwordSuffixTrie.of(TOK);
        List<int[]> generated = new ArrayList<>();
        try (BolmoModel m = BolmoModel.random(cfg, 9)) {
            for (String engine : List.of("java", "djl")) {
                InferenceEngine.configure(engine);
                try {
                    BolmoGenerator g = new BolmoGenerator(m, trie).maxPatchBytes(1).minNewBytes(50);
                    BolmoGenerator.Generation gen = g.generate(ByteTokenizer.encode("Hi"), SamplingOptions.greedy(50), false, s -> { });
                    assertTrue(g.stoppedAtContext(), engine);
                    int patches = 0;
                    for (boolean end : gen.boundaries()) {
                        patches += end ? 1 : 0;
                    }
                    assertEquals(8, patches, engine + ": the patches fill the context, no more");
                    assertTrue(gen.ids().length - gen.promptLength() < 50, engine);
                    generated.add(gen.ids());
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BolmoGenerator(m, trie)
                            .generate(ByteTokenizer.encode("Call me Ishmael. ".repeat(20)), SamplingOptions.greedy(4), false, s -> { }));
                    assertTrue(e.getMessage().contains("patches; the global model's context is 8"), engine + ": " + e.getMessage());
                } finally {
                    InferenceEngine.configure(null);
                }
            }
        }
        assertArrayEquals(generated.get(0), generated.get(1), "the same greedy bytes on both engines");
    }
}
