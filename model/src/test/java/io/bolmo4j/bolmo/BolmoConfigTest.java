package io.bolmo4j.bolmo;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.bolmo4j.olmo.OlmoConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BolmoConfigTest {
    /** The released configs' keys (docs/bolmo.md §1.3), without weights. */
    static JsonObject released(int d, int layers, int heads, int ffn, int localFfn, boolean allFull) {
        JsonObject j = new JsonObject();
        j.addProperty("model_type", "bolmo");
        j.addProperty("vocab_size", 520);
        j.addProperty("hidden_size", d);
        j.addProperty("intermediate_size", ffn);
        j.addProperty("num_hidden_layers", layers);
        j.addProperty("num_attention_heads", heads);
        j.addProperty("num_key_value_heads", heads);
        j.addProperty("hidden_act", "silu");
        j.addProperty("max_position_embeddings", -1);
        j.addProperty("rms_norm_eps", 1e-6);
        j.addProperty("local_rms_norm_eps", 1e-5);
        j.addProperty("sliding_window", 4096);
        if (allFull) {
            JsonArray t = new JsonArray();
            for (int i = 0; i < layers; i++) {
                t.add("full_attention");
            }
            j.add("layer_types", t);
        }
        j.addProperty("add_expanded_embeddings", true);
        j.addProperty("boundary_predictor_lookahead", 1);
        j.addProperty("boundary_threshold", "sample:0");
        j.addProperty("num_local_encoder_layers", 1);
        j.addProperty("num_local_decoder_layers", 4);
        j.addProperty("num_local_heads", 16);
        j.addProperty("local_intermediate_size", localFfn);
        j.addProperty("subword_vocab_size", 100278);
        j.add("tokenizer_config", BolmoConfig.tokenizerConfig("allenai/dolma2-tokenizer"));
        return j;
    }

    @Test
    void releasedModelsHaveThePublishedParameterCounts() {
        BolmoConfig b1 = BolmoConfig.fromJson(released(2048, 16, 16, 8192, 2816, true), "Bolmo-1B");
        assertEquals(1_468_911_776L, b1.parameterCount());
        assertEquals("olmo2", b1.global.modelType);
        assertEquals(BolmoConfig.TRAINED_ROPE_THETA, b1.global.ropeTheta, "missing rope_theta falls back to 500000");
        assertEquals(64, b1.localConfig().qkPerHead(), "1B per-head qk is 64 (docs/bolmo.md §1.1 note on Table 7)");
        BolmoConfig b7 = BolmoConfig.fromJson(released(4096, 32, 32, 11008, 5504, false), "Bolmo-7B");
        assertEquals(7_633_084_576L, b7.parameterCount());
        assertTrue(b7.global.isSliding(0) && !b7.global.isSliding(3), "absent layer_types = Olmo 3's 3:1 pattern");
    }

    @Test
    void teacherDerivedConfigsFollowTable7() {
        OlmoConfig olmo2b = OlmoConfig.of("olmo2", 100352, 2048, 8192, 16, 16, 16, 4096);
        BolmoConfig b = BolmoConfig.fromTeacher(olmo2b, 100278);
        assertEquals(2816, b.localIntermediateSize);
        assertEquals(16, b.numLocalHeads);
        assertEquals(1_468_911_776L, b.parameterCount(), "byteifying OLMo 2 1B gives Bolmo-1B's shape");
        assertEquals(5504, BolmoConfig.fromTeacher(OlmoConfig.of("olmo3", 100352, 4096, 11008, 2, 32, 32, 4096), 100278)
                .localIntermediateSize);
        BolmoConfig tiny = BolmoConfig.fromTeacher(OlmoConfig.of("olmo2", 8320, 256, 768, 4, 4, 4, 1024), 8194);
        assertEquals(16, tiny.numLocalHeads);
        assertEquals(8, tiny.localConfig().qkPerHead(), "d=256: 16 heads of qk 8");
        assertEquals(352, tiny.localIntermediateSize);
        BolmoConfig back = BolmoConfig.fromJson(tiny.toJson(), "round trip");
        assertEquals(tiny.parameterCount(), back.parameterCount());
    }

    @Test
    void badConfigsNameTheKey() {
        JsonObject j = released(64, 2, 4, 128, 96, true);
        j.addProperty("vocab_size", 512);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BolmoConfig.fromJson(j, "x/config.json"));
        assertTrue(e.getMessage().contains("vocab_size") && e.getMessage().contains("x/config.json"), e.getMessage());
        JsonObject k = released(64, 2, 4, 128, 96, true);
        k.addProperty("num_local_heads", 5);
        assertThrows(IllegalArgumentException.class, () -> BolmoConfig.fromJson(k, "y"));
        JsonObject o = released(64, 2, 4, 128, 96, true);
        o.addProperty("model_type", "olmo2");
        assertThrows(IllegalArgumentException.class, () -> BolmoConfig.fromJson(o, "z"));
    }
}
