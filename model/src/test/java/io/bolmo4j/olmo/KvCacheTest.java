package io.bolmo4j.olmo;

import ai.djl.ndarray.NDScope;
import io.bolmo4j.engine.Ops;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheTest {
    /** A cache allocated for one position grows (1, 2, 4, ... 32) and still gives the full forward's logits. */
    @Test
    void growingCacheEqualsFullForward() {
        OlmoConfig gqaSliding = NaiveOlmo.olmo3(4, List.of(OlmoConfig.SLIDING, OlmoConfig.FULL, OlmoConfig.SLIDING));
        for (OlmoConfig cfg : List.of(OlmoConfig.of("olmo2", 50, 32, 40, 2, 4, 4, 64), gqaSliding)) {
            try (OlmoModel m = OlmoModel.random(cfg, 11)) {
                int[] ids = new Random(12).ints(20, 0, cfg.vocabSize).toArray();
                float[][] full = m.logits(ids);
                double worst = 0;
                try (KvCache cache = m.newCache(1)) {
                    int pos = 0;
                    for (int n : new int[] {1, 1, 3, 1, 6, 1, 1, 1, 1, 1, 1, 1, 1}) {
                        try (NDScope s = new NDScope()) {
                            int[] chunk = Arrays.copyOfRange(ids, pos, pos + n);
                            float[] flat = m.logits(Ops.ids(m.params().manager(), chunk, 1, n), cache).toFloatArray();
                            for (int i = 0; i < n; i++) {
                                for (int v = 0; v < cfg.vocabSize; v++) {
                                    worst = Math.max(worst, Math.abs(flat[i * cfg.vocabSize + v] - full[pos + i][v]));
                                }
                            }
                        }
                        pos += n;
                    }
                    assertEquals(ids.length, cache.length());
                }
                assertTrue(worst <= 1e-4, cfg + ": max abs diff " + worst);
            }
        }
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new KvCache(2, 0));
    }
}
