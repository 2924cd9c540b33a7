package io.bolmo4j.olmo;

import ai.djl.ndarray.NDScope;
import com.google.gson.JsonObject;
import io.bolmo4j.engine.Ops;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OlmoModelTest {
    private static final List<String> MIXED = List.of(OlmoConfig.SLIDING, OlmoConfig.FULL, OlmoConfig.SLIDING);

    private static int[] randomIds(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
        }
        return ids;
    }

    private static double maxRelErr(float[][] got, double[][] want) {
        double maxAbs = 0, scale = 0;
        for (int i = 0; i < got.length; i++) {
            for (int j = 0; j < got[i].length; j++) {
                maxAbs = Math.max(maxAbs, Math.abs(got[i][j] - want[i][j]));
                scale = Math.max(scale, Math.abs(want[i][j]));
            }
        }
        return maxAbs / scale;
    }

    @Test
    void olmo2MatchesNaiveDoublePrecisionReference() {
        OlmoConfig cfg = OlmoConfig.of("olmo2", 61, 32, 40, 2, 4, 4, 64);
        try (OlmoModel m = OlmoModel.random(cfg, 1)) {
            int[] ids = randomIds(9, cfg.vocabSize, 2);
            double err = maxRelErr(m.logits(ids), new NaiveOlmo(cfg, m.params()).logits(ids));
            assertTrue(err < 1e-5, "relative error " + err);
        }
    }

    @Test
    void olmo3SlidingWindowAndGqaMatchNaiveReference() {
        OlmoConfig cfg = NaiveOlmo.olmo3(3, MIXED);
        try (OlmoModel m = OlmoModel.random(cfg, 3)) {
            int[] ids = randomIds(12, cfg.vocabSize, 4);
            double err = maxRelErr(m.logits(ids), new NaiveOlmo(cfg, m.params()).logits(ids));
            assertTrue(err < 1e-5, "relative error " + err);
        }
    }

    @Test
    void slidingWindowLimitsTheReceptiveField() {
        // Two sliding layers of window 3: position t sees back at most 2·(3−1) = 4 positions.
        OlmoConfig cfg = NaiveOlmo.olmo3(3, List.of(OlmoConfig.SLIDING, OlmoConfig.SLIDING));
        try (OlmoModel m = OlmoModel.random(cfg, 5)) {
            int[] a = randomIds(10, cfg.vocabSize, 6);
            int[] b = a.clone();
            b[0] = (a[0] + 1) % cfg.vocabSize;
            float[][] la = m.logits(a), lb = m.logits(b);
            for (int t = 0; t < 10; t++) {
                double diff = 0;
                for (int v = 0; v < cfg.vocabSize; v++) {
                    diff = Math.max(diff, Math.abs(la[t][v] - lb[t][v]));
                }
                if (t <= 4) {
                    assertTrue(diff > 1e-4, "position " + t + " should see token 0");
                } else {
                    assertEquals(0, diff, 1e-5, "position " + t + " must not see token 0");
                }
            }
        }
    }

    @Test
    void cachedDecodingEqualsFullForwardAtEveryStep() {
        for (OlmoConfig cfg : List.of(OlmoConfig.of("olmo2", 50, 32, 40, 2, 4, 2, 64), NaiveOlmo.olmo3(4, MIXED))) {
            try (OlmoModel m = OlmoModel.random(cfg, 7); KvCache cache = m.newCache()) {
                // A 5-token prefill, then one token at a time.
                double worst = cachedVsFull(m, cache, randomIds(14, cfg.vocabSize, 8), 5, 1, 1, 1, 1, 1, 1, 1, 1, 1);
                assertTrue(worst <= 1e-4, cfg + ": max abs diff " + worst);
            }
        }
    }

    /**
     * Feeds {@code ids} through {@code cache} in chunks of the given sizes (which must add up to its length) and
     * returns the largest absolute difference from the full forward's logits.
     */
    static double cachedVsFull(OlmoModel m, KvCache cache, int[] ids, int... chunks) {
        int vocab = m.config().vocabSize;
        float[][] full = m.logits(ids);
        double worst = 0;
        int pos = 0;
        for (int n : chunks) {
            try (NDScope s = new NDScope()) {
                int[] chunk = Arrays.copyOfRange(ids, pos, pos + n);
                float[] flat = m.logits(Ops.ids(m.params().manager(), chunk, 1, n), cache).toFloatArray();
                for (int i = 0; i < n; i++) {
                    for (int v = 0; v < vocab; v++) {
                        worst = Math.max(worst, Math.abs(flat[i * vocab + v] - full[pos + i][v]));
                    }
                }
            }
            pos += n;
        }
        assertEquals(ids.length, pos, "chunks must cover the ids");
        assertEquals(ids.length, cache.length());
        return worst;
    }

    @Test
    void parameterCountMatchesTensors() {
        OlmoConfig cfg = NaiveOlmo.olmo3(4, MIXED);
        try (OlmoModel m = OlmoModel.random(cfg, 1)) {
            assertEquals(cfg.parameterCount(), m.params().count());
        }
    }

    @Test
    void badIdsAndConfigsAreClearErrors() {
        OlmoConfig cfg = OlmoConfig.of("olmo2", 20, 16, 24, 1, 2, 2, 32);
        try (OlmoModel m = OlmoModel.random(cfg, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.logits(new int[] {1, 20}));
            assertTrue(e.getMessage().contains("20"), e.getMessage());
        }
        IllegalArgumentException family = assertThrows(IllegalArgumentException.class, () -> cfg.with("model_type", "gemma3"));
        assertTrue(family.getMessage().contains("unsupported model_type 'gemma3' (supported: olmo2, olmo3, llama, qwen2, qwen3)"),
                family.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cfg.with("num_key_value_heads", 3));
        assertThrows(IllegalArgumentException.class, () -> cfg.with("hidden_size", "big"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OlmoConfig.fromJson(new JsonObject(), "x/config.json"));
        assertTrue(missing.getMessage().contains("x/config.json"), missing.getMessage());
    }
}
