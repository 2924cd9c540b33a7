package io.bolmo4j.olmo;

import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Ops;
import io.bolmo4j.generate.Sampler;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.train.Settings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationAndScoringTest {
    private static final OlmoConfig CFG = OlmoConfig.of("olmo2", 40, 32, 40, 2, 4, 4, 16);

    private static double nllFromFullForward(OlmoModel m, int[] ids, int target) {
        float[] row = m.logits(Arrays.copyOf(ids, target))[target - 1];
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (float v : row) {
            max = Math.max(max, v);
        }
        for (float v : row) {
            z += Math.exp(v - max);
        }
        return -(row[ids[target]] - max - Math.log(z));
    }

    @Test
    void greedyGenerationFollowsTheFullForwardArgmax() {
        try (OlmoModel m = OlmoModel.random(CFG, 11)) {
            int[] prompt = {3, 17, 5};
            int[] gen = new OlmoGenerator(m).generate(prompt, SamplingOptions.greedy(8));
            assertEquals(8, gen.length);
            int[] seq = prompt;
            for (int g : gen) {
                float[][] logits = m.logits(seq);
                assertEquals(Sampler.argmax(logits[seq.length - 1]), g);
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = g;
            }
        }
    }

    @Test
    void generationStopsAtStopIdAndContextLimit() {
        try (OlmoModel m = OlmoModel.random(CFG, 11)) {
            int[] free = new OlmoGenerator(m).generate(new int[] {1}, SamplingOptions.greedy(5));
            int[] stopped = new OlmoGenerator(m).generate(new int[] {1}, SamplingOptions.greedy(5), free[2]);
            int firstStop = 0;
            while (free[firstStop] != free[2]) {
                firstStop++;
            }
            assertArrayEquals(Arrays.copyOf(free, firstStop), stopped);
            int[] longRun = new OlmoGenerator(m).generate(new int[] {1, 2}, SamplingOptions.greedy(100));
            assertEquals(CFG.maxPositionEmbeddings - 2, longRun.length, "prompt + generated fill the 16 positions");
        }
    }

    @Test
    void seededSamplingIsReproducibleAndCallbackSeesEveryToken() {
        try (OlmoModel m = OlmoModel.random(CFG, 12)) {
            SamplingOptions o = new SamplingOptions(10, 1.0, 0, 1, 42);
            List<Integer> seen = new ArrayList<>();
            int[] a = new OlmoGenerator(m).generate(new int[] {1}, o, id -> seen.add(id));
            int[] b = new OlmoGenerator(m).generate(new int[] {1}, o);
            int[] c = new OlmoGenerator(m).generate(new int[] {1}, Settings.with(o, "seed", 43));
            assertArrayEquals(a, b);
            assertNotEquals(Arrays.toString(a), Arrays.toString(c));
            assertEquals(Arrays.toString(a), seen.toString().replace(" ", "").replace(",", ", "));
        }
    }

    @Test
    void scorerMatchesFullForwardIncludingSlidingWindows() {
        try (OlmoModel m = OlmoModel.random(CFG, 13)) {
            Random r = new Random(1);
            // far longer than the 16-position context: windows of 16 tokens, batched 512 at a time, in two batches
            int[] ids = new int[16 + 12 * 600];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(CFG.vocabSize);
            }
            List<Long> progress = new ArrayList<>();
            double[] nll = new LikelihoodScorer(m).tokenNll(ids, progress::add);
            assertEquals(ids.length - 1, nll.length);
            assertTrue(progress.size() > 1, "progress after each batch: " + progress);
            assertEquals(ids.length - 1, progress.get(progress.size() - 1));
            for (int t = 1; t < 16; t++) {
                assertEquals(nllFromFullForward(m, ids, t), nll[t - 1], 1e-4);
            }
            // Beyond the first window each token is scored by one window of at most 16 tokens that gives it at least
            // a quarter window (4 tokens) of context: one such window's plain forward must reproduce its score.
            float[][][] logp = windowLogProbs(m, ids);
            for (int t = 16; t < ids.length; t++) {
                boolean found = false;
                for (int begin = t - 15; begin <= t - 4 && !found; begin++) {
                    found = Math.abs(-logp[begin][t - begin - 1][ids[t]] - nll[t - 1]) < 1e-4;
                }
                assertTrue(found, "token " + t + " is not scored from a window with at least 4 tokens of context");
            }
        }
    }

    /** Log-probabilities {@code [begin][position][id]} of every 16-token window of {@code ids}, one batched forward. */
    private static float[][][] windowLogProbs(OlmoModel m, int[] ids) {
        int n = ids.length - 15, v = CFG.vocabSize;
        int[] flat = new int[n * 16];
        for (int b = 0; b < n; b++) {
            System.arraycopy(ids, b, flat, b * 16, 16);
        }
        try (NDScope ignored = new NDScope()) {
            float[] lp = m.logits(Ops.ids(m.params().manager(), flat, n, 16), null).logSoftmax(-1).toFloatArray();
            float[][][] out = new float[n][16][v];
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < 16; p++) {
                    System.arraycopy(lp, (b * 16 + p) * v, out[b][p], 0, v);
                }
            }
            return out;
        }
    }

    @Test
    void samplerFiltersFollowTopKAndTopP() {
        float[] logits = {2f, 1f, 0f, -1f};
        double[] k2 = new Sampler(new SamplingOptions(1, 1, 2, 1, 0)).probabilities(logits);
        assertEquals(0, k2[2]);
        assertEquals(1 / (1 + Math.exp(-1)), k2[0], 1e-12);
        // softmax = [.644, .237, .087, .032]: top-p 0.7 keeps the first two ids.
        double[] p = new Sampler(new SamplingOptions(1, 1, 0, 0.7, 0)).probabilities(logits);
        assertTrue(p[1] > 0 && p[2] == 0 && p[3] == 0);
        double[] cold = new Sampler(new SamplingOptions(1, 0.5, 0, 1, 0)).probabilities(logits);
        assertEquals(Math.exp(4) / (Math.exp(4) + Math.exp(2) + 1 + Math.exp(-2)), cold[0], 1e-12);
    }
}
