package io.bolmo4j.cpu;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.HostTensor;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.FamiliesTest;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.olmo.WeightTypeTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java engine's causal LM against the DJL path: logits within 1e-5 relative, for every family, weight type and
 * layer kind.
 */
class CpuOlmoTest {
    static final int[] IDS = {1, 5, 9, 2, 44, 3, 17, 60, 8, 12, 33, 7, 21, 0, 66};
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /** Largest |got − want| over the largest |want|. */
    static double relativeError(float[][] got, float[][] want) {
        return WeightTypeTest.relativeError(want, got);
    }

    /** Olmo 3: sliding windows of 4 (shorter than the ids), 4 query heads on 2 key/value heads, odd SwiGLU width. */
    static OlmoConfig olmo3() {
        return OlmoConfig.of("olmo3", 67, 40, 45, 3, 4, 2, 64).with("sliding_window", 4)
                .with("layer_types", List.of(OlmoConfig.SLIDING, OlmoConfig.FULL, OlmoConfig.SLIDING));
    }

    private static void assertAgrees(OlmoConfig cfg, long seed) {
        try (OlmoModel m = OlmoModel.random(cfg, seed)) {
            double err = relativeError(CpuOlmo.of(m).logits(IDS), m.logits(IDS));
            assertTrue(err < TOLERANCE, cfg + ": relative logit error " + err);
        }
    }

    @Test
    void olmo2AndOlmo3LogitsAgreeWithTheDjlPath() {
        assertAgrees(OlmoConfig.of("olmo2", 67, 64, 96, 2, 4, 4, 64), 1);
        assertAgrees(olmo3(), 2);
    }

    @Test
    void scaledRopeAgreesWithTheDjlPath() {
        JsonObject yarn = new JsonObject();
        yarn.addProperty("rope_type", "yarn");
        yarn.addProperty("factor", 4.0);
        yarn.addProperty("original_max_position_embeddings", 8);
        assertAgrees(olmo3().with("rope_scaling", yarn), 3);
        JsonObject llama3 = new JsonObject();
        llama3.addProperty("rope_type", "llama3");
        llama3.addProperty("factor", 8.0);
        llama3.addProperty("low_freq_factor", 1.0);
        llama3.addProperty("high_freq_factor", 4.0);
        llama3.addProperty("original_max_position_embeddings", 16);
        assertAgrees(OlmoConfig.of("olmo2", 67, 64, 96, 2, 2, 1, 64).with("rope_scaling", llama3), 4);
    }

    /**
     * Every family's configs of FamiliesTest (Llama tied with Llama 3 RoPE, Llama with every bias, Qwen 2.5 with q/k/v
     * biases and sliding layers, Qwen 3 with per-head QK-norm and an explicit head_dim, grouped or not), Qwen's sliding
     * layers under YaRN (scaled there, unlike Olmo 3's) and OLMo 2 with attention biases: norms and biases random, full
     * logits and cached steps past the window.
     */
    static List<OlmoConfig> families() {
        JsonObject yarn = new JsonObject();
        yarn.addProperty("rope_type", "yarn");
        yarn.addProperty("factor", 4.0);
        yarn.addProperty("original_max_position_embeddings", 8);
        return List.of(FamiliesTest.llamaTied(), FamiliesTest.llamaBiases(), FamiliesTest.qwen2Sliding(),
                FamiliesTest.qwen2Sliding().with("rope_scaling", yarn), FamiliesTest.qwen3(),
                FamiliesTest.qwen3().with("num_key_value_heads", 4).with("use_sliding_window", true).with("sliding_window", 3)
                        .with("max_window_layers", 0),
                OlmoConfig.of("olmo2", 67, 64, 96, 2, 4, 2, 64).with("attention_bias", true));
    }

    /** {@link #IDS} within the config's vocabulary. */
    private static int[] ids(OlmoConfig cfg) {
        return Arrays.stream(IDS).map(i -> i % cfg.vocabSize).toArray();
    }

    @Test
    void everyFamilyAgreesWithTheDjlPathInFullAndCachedSteps() {
        long seed = 10;
        for (OlmoConfig cfg : families()) {
            try (OlmoModel m = OlmoModel.random(cfg, seed)) {
                FamiliesTest.perturb(m.params(), seed++);
                CpuOlmo cpu = CpuOlmo.of(m);
                int[] ids = ids(cfg);
                float[][] full = m.logits(ids);
                double err = relativeError(cpu.logits(ids), full);
                assertTrue(err < TOLERANCE, cfg + ": relative logit error " + err);
                CpuKvCache cache = cpu.newCache(3);
                cpu.next(new int[] {ids[0], ids[1], ids[2]}, cache);
                for (int t = 3; t < ids.length; t++) {
                    double step = relativeError(new float[][] {cpu.next(new int[] {ids[t]}, cache)}, new float[][] {full[t]});
                    assertTrue(step < TOLERANCE, cfg + ", cached step at position " + t + ": relative logit error " + step);
                }
            }
        }
    }

    @Test
    void mappedCheckpointsOfEveryFamilyAgreeWithTheDjlPath() {
        long seed = 30;
        for (OlmoConfig cfg : families()) {
            try (OlmoModel m = OlmoModel.random(cfg, seed)) {
                FamiliesTest.perturb(m.params(), seed++);
                OlmoCheckpoint.save(m, dir.resolve("s" + seed), true, Map.of()); // bf16; tied: the files hold no lm_head
            }
            try (OlmoModel exact = OlmoCheckpoint.load(dir.resolve("s" + seed))) {
                int[] ids = ids(cfg);
                double err = relativeError(CpuOlmo.load(dir.resolve("s" + seed)).logits(ids), exact.logits(ids));
                assertTrue(err < TOLERANCE, cfg + ": relative logit error " + err);
            }
        }
    }

    /** The built-in Qwen 3 (trained, bf16, tied, per-head QK-norm, GQA, head_dim 64) mapped as shipped: its logits. */
    @Test
    void builtInTinyQwen3AgreesWithTheDjlPath() {
        Path qwen = BuiltinModels.path(BuiltinModels.TINY_QWEN3);
        int[] ids = {4096, 312, 17, 1030, 99, 2048, 5, 777, 4000, 64};
        try (OlmoModel exact = OlmoCheckpoint.load(qwen)) {
            double err = relativeError(CpuOlmo.load(qwen).logits(ids), exact.logits(ids));
            assertTrue(err < TOLERANCE, "relative logit error " + err);
        }
    }

    /** Saves {@code m} with every tensor converted by {@code type} (bf16, f16 or f32 HostTensors). */
    private void save(OlmoModel m, BiFunction<float[], long[], HostTensor> type) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : m.params().asMap().entrySet()) {
            t.put(e.getKey(), type.apply(e.getValue().toFloatArray(), e.getValue().getShape().getShape()));
        }
        HfCheckpoint.save(dir, m.config().toJson(), t, 1 << 20, Map.of());
    }

    @Test
    void mappedBf16Fp16AndFp32CheckpointsAgreeWithTheDjlPathOnTheSameValues() {
        List<BiFunction<float[], long[], HostTensor>> types = List.of(HostTensor::bf16, HostTensor::f16, HostTensor::f32);
        for (BiFunction<float[], long[], HostTensor> type : types) {
            try (OlmoModel m = OlmoModel.random(olmo3(), 5)) {
                save(m, type);
            }
            // the DJL path widens the stored values to fp32 exactly; the Java engine widens them in registers
            try (OlmoModel exact = OlmoCheckpoint.load(dir)) {
                double err = relativeError(CpuOlmo.load(dir).logits(IDS), exact.logits(IDS));
                assertTrue(err < TOLERANCE, "relative logit error " + err);
            }
        }
    }

    @Test
    void cachedStepsEqualTheFullForwardPastTheWindow() {
        try (OlmoModel m = OlmoModel.random(olmo3(), 6)) {
            CpuOlmo cpu = CpuOlmo.of(m);
            float[][] full = m.logits(IDS);
            CpuKvCache cache = cpu.newCache(2); // grows twice
            float[][] stepped = new float[IDS.length][];
            stepped[0] = cpu.next(new int[] {IDS[0], IDS[1]}, cache);
            float[][] firstTwo = {full[1]};
            assertTrue(relativeError(new float[][] {stepped[0]}, firstTwo) < TOLERANCE);
            for (int t = 2; t < IDS.length; t++) {
                float[] got = cpu.next(new int[] {IDS[t]}, cache);
                double err = relativeError(new float[][] {got}, new float[][] {full[t]});
                assertTrue(err < TOLERANCE, "position " + t + ": relative logit error " + err);
            }
            assertEquals(IDS.length, cache.length());
        }
    }

    @Test
    void nextTokenLogProbsAreTheLogSoftmaxOfTheLogits() {
        try (OlmoModel m = OlmoModel.random(olmo3(), 7)) {
            CpuOlmo cpu = CpuOlmo.of(m);
            float[][] logits = m.logits(IDS);
            float[] lp = cpu.nextTokenLogProbs(IDS, 3);
            assertEquals(IDS.length - 4, lp.length);
            for (int i = 0; i < lp.length; i++) {
                float[] row = logits[3 + i];
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (float v : row) {
                    max = Math.max(max, v);
                }
                for (float v : row) {
                    z += Math.exp(v - max);
                }
                assertEquals(row[IDS[4 + i]] - max - Math.log(z), lp[i], 1e-5);
            }
        }
    }

    @Test
    void corruptWeightsAndBadIdsAreClearErrors() {
        List<BiFunction<float[], long[], HostTensor>> types = List.of(HostTensor::bf16, HostTensor::f16, HostTensor::f32);
        float[] bad = {Float.NaN, 1e6f /* beyond fp16: stored as infinity */, Float.NEGATIVE_INFINITY};
        for (int i = 0; i < types.size(); i++) {
            BiFunction<float[], long[], HostTensor> type = types.get(i);
            float value = bad[i];
            try (OlmoModel m = OlmoModel.random(olmo3(), 8)) {
                Map<String, HostTensor> t = new LinkedHashMap<>();
                m.params().asMap().forEach((k, v) -> {
                    float[] d = v.toFloatArray();
                    if (k.equals(ParameterLayout.layer(1) + "mlp.down_proj.weight")) {
                        d[41] = value;
                    }
                    t.put(k, type.apply(d, v.getShape().getShape()));
                });
                HfCheckpoint.save(dir, m.config().toJson(), t, 1 << 20, Map.of());
                CpuOlmo cpu = CpuOlmo.of(m);
                IllegalArgumentException ids = assertThrows(IllegalArgumentException.class, () -> cpu.logits(new int[] {1, 67}));
                assertTrue(ids.getMessage().contains("outside the vocabulary"), ids.getMessage());
            }
            CheckpointException e = assertThrows(CheckpointException.class, () -> CpuOlmo.load(dir));
            assertTrue(e.getMessage().contains("'model.layers.1.mlp.down_proj.weight'") && e.getMessage().contains("flat index 41"),
                    e.getMessage());
        }
    }
}
