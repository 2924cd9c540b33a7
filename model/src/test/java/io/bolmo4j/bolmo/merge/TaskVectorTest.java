package io.bolmo4j.bolmo.merge;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.engine.Params;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class TaskVectorTest {
    static final OlmoConfig CFG = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 128);

    /** base + a random delta on every tensor (embeddings and head included): a stand-in for a post-training of it. */
    public static OlmoModel shifted(OlmoModel base, long seed) {
        Params p = Params.create();
        Random r = new Random(seed);
        for (Map.Entry<String, NDArray> e : base.params().asMap().entrySet()) {
            float[] v = e.getValue().toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (0.01 * r.nextGaussian());
            }
            p.put(e.getKey(), v, e.getValue().getShape().getShape());
        }
        return new OlmoModel(base.config(), p);
    }

    @Test
    void mergeAddsAlphaTimesTheDeltaOnExactlyTheSharedTensors() {
        try (OlmoModel base = OlmoModel.random(CFG, 1); OlmoModel instruct = shifted(base, 2);
             BolmoModel bolmo = Byteify.fromTeacher(base, 402, 3)) {
            Map<String, float[]> before = new HashMap<>();
            bolmo.params().asMap().forEach((k, v) -> before.put(k, v.toFloatArray()));
            List<String> merged = TaskVector.merge(bolmo, instruct, base, 0.5);
            assertTrue(merged.contains("model.norm.weight"), "docs/bolmo.md §8: the final norm gets the delta too");
            assertEquals(2 * 11 + 1, merged.size(), "11 tensors per global layer plus model.norm");
            for (String n : bolmo.params().asMap().keySet()) {
                float[] now = bolmo.params().get(n).toFloatArray();
                if (merged.contains(n)) {
                    float[] in = instruct.params().get(n).toFloatArray(), ba = base.params().get(n).toFloatArray();
                    for (int i = 0; i < now.length; i++) {
                        assertEquals(before.get(n)[i] + 0.5f * (in[i] - ba[i]), now[i], 1e-6, n);
                    }
                } else {
                    assertArrayEquals(before.get(n), now, n + " must not change");
                }
            }
            assertFalse(merged.stream().anyMatch(n -> n.startsWith("model.local_") || n.equals("lm_head.weight")));
            assertTrue(TaskVector.relativeDistance(instruct, base) > 0);
            assertArrayEquals(new float[] {1f, 1f}, Arrays.copyOf(base.params().get("model.norm.weight").toFloatArray(), 2),
                    "the base model is never modified (no aliasing with the byteified copy)");
        }
    }

    @Test
    void aMismatchedBaseIsRefused() {
        try (OlmoModel base = OlmoModel.random(CFG, 1);
             OlmoModel other = OlmoModel.random(OlmoConfig.of("olmo2", 512, 32, 64, 3, 4, 4, 128), 5);
             BolmoModel bolmo = Byteify.fromTeacher(base, 402, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskVector.merge(bolmo, other, other, 1));
            assertTrue(e.getMessage().contains("byteified from"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TaskVector.merge(bolmo, other, base, 1));
        }
    }

    @Test
    void anUnrelatedModelOfTheSameArchitectureIsRefusedAndNothingChanges() {
        try (OlmoModel base = OlmoModel.random(CFG, 1); OlmoModel unrelated = OlmoModel.random(CFG, 9);
             OlmoModel instruct = shifted(base, 2); BolmoModel bolmo = Byteify.fromTeacher(base, 402, 3)) {
            Map<String, float[]> before = new HashMap<>();
            bolmo.params().asMap().forEach((k, v) -> before.put(k, v.toFloatArray()));
            IllegalArgumentException asInstruct = assertThrows(IllegalArgumentException.class,
                    () -> TaskVector.merge(bolmo, unrelated, base, 1));
            assertTrue(asInstruct.getMessage().contains("must be a post-training of the base"), asInstruct.getMessage());
            IllegalArgumentException asBase = assertThrows(IllegalArgumentException.class,
                    () -> TaskVector.merge(bolmo, shifted(unrelated, 4), unrelated, 1));
            assertTrue(asBase.getMessage().contains("the base must be the model the Bolmo was byteified from"), asBase.getMessage());
            bolmo.params().asMap().forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), k + " must not change"));
            assertEquals(2 * 11 + 1, TaskVector.merge(bolmo, instruct, base, 1).size(), "the post-training merges");
        }
    }
}
