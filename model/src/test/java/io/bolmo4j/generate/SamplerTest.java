package io.bolmo4j.generate;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No id is chosen from scores that hold NaN or +∞ or nothing finite; −∞ leaves an id out as intended. */
class SamplerTest {
    @Test
    void nonFiniteScoresAreRefusedInEveryMode() {
        for (SamplingOptions o : new SamplingOptions[] {SamplingOptions.greedy(5), new SamplingOptions(5, 0.8, 0, 0.95, 1)}) {
            Sampler s = new Sampler(o);
            IllegalStateException nan = assertThrows(IllegalStateException.class, () -> s.sample(new float[] {1, Float.NaN, 2}));
            assertTrue(nan.getMessage().contains("score for id 1 is NaN"), nan.getMessage());
            IllegalStateException inf = assertThrows(IllegalStateException.class,
                    () -> s.sample(new float[] {1, 2, Float.POSITIVE_INFINITY}));
            assertTrue(inf.getMessage().contains("score for id 2 is Infinity"), inf.getMessage());
            float ninf = Float.NEGATIVE_INFINITY;
            assertThrows(IllegalStateException.class, () -> s.sample(new float[] {ninf, ninf}));
            assertEquals(1, s.sample(new float[] {ninf, 3, ninf}), "masked ids are never chosen");
        }
    }
}
