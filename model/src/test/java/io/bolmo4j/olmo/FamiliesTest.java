package io.bolmo4j.olmo;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.engine.Params;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.ParameterLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Llama, Qwen 2.5 and Qwen 3 layers in the one transformer (their logits against Hugging Face transformers are
 * checked in the command-line module's TransformersLogitsTest): the config differences, the tensors a checkpoint holds,
 * cached decoding equal to a full forward, and a save/load round trip.
 */
public class FamiliesTest {
    @TempDir
    Path dir;

    public static OlmoConfig llamaTied() {
        return OlmoConfig.of("llama", 90, 32, 48, 2, 4, 2, 256).with("tie_word_embeddings", true)
                .with("rope_scaling", JsonParser.parseString("{\"rope_type\": \"llama3\", \"factor\": 8.0,"
                        + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64}"));
    }

    public static OlmoConfig qwen2Sliding() {
        return OlmoConfig.of("qwen2", 70, 32, 40, 3, 4, 4, 256).with("use_sliding_window", true)
                .with("sliding_window", 4).with("max_window_layers", 1);
    }

    public static OlmoConfig qwen3() {
        return OlmoConfig.of("qwen3", 80, 32, 48, 2, 4, 2, 256).with("head_dim", 24).with("tie_word_embeddings", true);
    }

    /** Llama with {@code attention_bias} (q/k/v and output) and {@code mlp_bias}, one key/value head for three. */
    public static OlmoConfig llamaBiases() {
        return OlmoConfig.of("llama", 60, 24, 40, 2, 3, 1, 128).with("attention_bias", true).with("mlp_bias", true);
    }

    @Test
    void eachFamilyReadsItsDifferencesFromTheConfig() {
        OlmoConfig llama = llamaTied();
        assertEquals(OlmoConfig.NormPlacement.PRE, llama.normPlacement);
        assertEquals(OlmoConfig.QkNorm.NONE, llama.qkNorm);
        assertTrue(llama.tieWordEmbeddings && !llama.qkvBias && !llama.outputBias);
        OlmoConfig qwen2 = qwen2Sliding();
        assertTrue(qwen2.qkvBias && !qwen2.outputBias, "Qwen 2.5: q/k/v biases, none on o_proj");
        assertEquals(List.of(OlmoConfig.FULL, OlmoConfig.SLIDING, OlmoConfig.SLIDING), qwen2.layerTypes,
                "sliding from max_window_layers on");
        assertEquals(List.of(OlmoConfig.FULL, OlmoConfig.FULL, OlmoConfig.FULL),
                qwen2.with("use_sliding_window", false).layerTypes, "without use_sliding_window every layer attends fully");
        OlmoConfig q3 = qwen3();
        assertEquals(OlmoConfig.QkNorm.PER_HEAD, q3.qkNorm);
        assertEquals(24, q3.headDim);
        JsonObject noHeadDim = q3.toJson();
        noHeadDim.remove("head_dim");
        assertEquals(128, OlmoConfig.fromJson(noHeadDim, "qwen3").headDim, "Qwen3Config's default, not hidden / heads");
        OlmoConfig olmo = OlmoConfig.of("olmo2", 64, 32, 48, 2, 4, 4, 128);
        assertEquals(OlmoConfig.NormPlacement.POST, olmo.normPlacement);
        assertEquals(OlmoConfig.QkNorm.WHOLE_PROJECTION, olmo.qkNorm);
        assertTrue(olmo.with("attention_bias", true).outputBias);
    }

    @Test
    void checkpointTensorsFollowTheFamily() {
        Map<String, long[]> llama = OlmoCheckpoint.expectedShapes(llamaTied());
        assertFalse(llama.containsKey(ParameterLayout.LM_HEAD), "tied: no lm_head.weight");
        assertTrue(llama.containsKey("model.layers.0.input_layernorm.weight"));
        assertFalse(llama.containsKey("model.layers.0.post_feedforward_layernorm.weight"));
        assertFalse(llama.containsKey("model.layers.0.self_attn.q_norm.weight"));
        Map<String, long[]> qwen2 = OlmoCheckpoint.expectedShapes(qwen2Sliding());
        assertArrayEquals(new long[] {32}, qwen2.get("model.layers.1.self_attn.k_proj.bias"));
        assertFalse(qwen2.containsKey("model.layers.1.self_attn.o_proj.bias"));
        Map<String, long[]> q3 = OlmoCheckpoint.expectedShapes(qwen3());
        assertArrayEquals(new long[] {24}, q3.get("model.layers.0.self_attn.q_norm.weight"), "per-head norm");
        assertArrayEquals(new long[] {96, 32}, q3.get("model.layers.0.self_attn.q_proj.weight"), "4 heads of 24");
        for (OlmoConfig c : List.of(llamaTied(), qwen2Sliding(), qwen3())) {
            try (OlmoModel m = OlmoModel.random(c, 1)) {
                assertEquals(c.parameterCount(), m.params().count(), c.toString());
            }
        }
    }

    /** Gives norms and biases random values, so that cached and full forwards use every one of them. */
    public static void perturb(Params params, long seed) {
        Random rng = new Random(seed);
        // in name order: Map.copyOf iterates in an order salted per JVM, which drew a different model on every run
        for (Map.Entry<String, NDArray> e : new TreeMap<>(params.asMap()).entrySet()) {
            String n = e.getKey();
            if (n.endsWith(".bias") || n.endsWith("norm.weight")) {
                float[] v = e.getValue().toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = (n.endsWith(".bias") ? 0f : 1f) + 0.2f * (float) rng.nextGaussian();
                }
                params.put(n, v, e.getValue().getShape().getShape());
            }
        }
    }

    @Test
    void cachedDecodingEqualsTheFullForward() {
        for (OlmoConfig cfg : List.of(llamaTied(), llamaBiases(), qwen2Sliding(), qwen3(), qwen3().with("num_key_value_heads", 4))) {
            try (OlmoModel m = OlmoModel.random(cfg, 5); KvCache cache = m.newCache(2)) {
                perturb(m.params(), 6);
                int[] ids = new Random(7).ints(17, 0, cfg.vocabSize).toArray();
                double worst = OlmoModelTest.cachedVsFull(m, cache, ids, 5, 1, 1, 3, 1, 1, 1, 4);
                assertTrue(worst <= 1e-4, cfg + ": max abs diff " + worst);
            }
        }
    }

    @Test
    void savedAndLoadedAgain() {
        for (OlmoConfig cfg : List.of(llamaTied(), qwen2Sliding(), qwen3())) {
            Path d = dir.resolve(cfg.modelType);
            int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
            float[][] before;
            try (OlmoModel m = OlmoModel.random(cfg, 8)) {
                perturb(m.params(), 9);
                before = m.logits(ids);
                OlmoCheckpoint.save(m, d, false, Map.of());
            }
            try (HfCheckpoint ckpt = HfCheckpoint.open(d)) {
                assertEquals(!cfg.tieWordEmbeddings, ckpt.contains(ParameterLayout.LM_HEAD));
            }
            try (OlmoModel m = OlmoCheckpoint.load(d)) {
                assertEquals(cfg.modelType, m.config().modelType);
                float[][] after = m.logits(ids);
                for (int t = 0; t < ids.length; t++) {
                    assertArrayEquals(before[t], after[t], cfg.modelType + " position " + t);
                }
            }
        }
    }
}
