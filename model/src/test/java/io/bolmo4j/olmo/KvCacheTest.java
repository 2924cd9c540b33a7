package io.bolmo4j.olmo;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheTest {
    /** A cache allocated for one position grows (1, 2, 4, ... 32) and still gives the full forward's logits. */
    @Test
    void growingCacheEqualsFullForward() {
        OlmoConfig gqaSliding = NaiveOlmo.olmo3(4, List.of(OlmoConfig.SLIDING, OlmoConfig.FULL, OlmoConfig.SLIDING));
        for (OlmoConfig cfg : List.of(OlmoConfig.of("olmo2", 50, 32, 40, 2, 4, 4, 64), gqaSliding)) {
            try (OlmoModel m = OlmoModel.random(cfg, 11); KvCache cache = m.newCache(1)) {
                int[] ids = new Random(12).ints(20, 0, cfg.vocabSize).toArray();
                double worst = OlmoModelTest.cachedVsFull(m, cache, ids, 1, 1, 3, 1, 6, 1, 1, 1, 1, 1, 1, 1, 1);
                assertTrue(worst <= 1e-4, cfg + ": max abs diff " + worst);
            }
        }
    }

    @Test
    void capacityMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new KvCache(2, 0));
    }
}
