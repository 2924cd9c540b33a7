package io.bolmo4j.olmo;

import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.io.HfCheckpoint;
import io.bolmo4j.io.ParameterLayout;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OlmoCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void fp32AndShardedRoundTripsAreExact() {
        OlmoConfig cfg = NaiveOlmo.olmo3(4, List.of(OlmoConfig.SLIDING, OlmoConfig.FULL));
        int[] ids = {1, 5, 9, 2, 44, 3};
        try (OlmoModel m = OlmoModel.random(cfg, 9)) {
            float[][] want = m.logits(ids);
            OlmoCheckpoint.save(m, dir.resolve("a"), false, Map.of());
            try (OlmoModel back = OlmoCheckpoint.load(dir.resolve("a"))) {
                assertEquals(cfg.layerTypes, back.config().layerTypes);
                assertEquals(4, back.config().slidingWindow);
                float[][] got = back.logits(ids);
                for (int t = 0; t < ids.length; t++) {
                    assertArrayEquals(want[t], got[t]);
                }
            }
        }
    }

    @Test
    void bf16CheckpointsLoadCloseToTheFp32Model() {
        OlmoConfig cfg = OlmoConfig.of("olmo2", 64, 32, 48, 2, 4, 4, 64);
        int[] ids = {1, 2, 3, 4, 5, 6, 7};
        try (OlmoModel m = OlmoModel.random(cfg, 4)) {
            OlmoCheckpoint.save(m, dir, true, Map.of());
            try (HfCheckpoint c = HfCheckpoint.open(dir)) {
                assertEquals("BF16", c.info(ParameterLayout.LM_HEAD).dtype().name());
            }
            float[][] a = m.logits(ids);
            try (OlmoModel b = OlmoCheckpoint.load(dir)) {
                float[][] l = b.logits(ids);
                double diff = 0, scale = 0;
                for (int t = 0; t < ids.length; t++) {
                    for (int v = 0; v < 64; v++) {
                        diff = Math.max(diff, Math.abs(a[t][v] - l[t][v]));
                        scale = Math.max(scale, Math.abs(a[t][v]));
                    }
                }
                assertTrue(diff / scale < 0.05, "bf16 relative error " + diff / scale);
                assertTrue(diff > 0, "bf16 rounding must be visible");
            }
        }
    }

    @Test
    void missingTensorsAndBadConfigsNameTheProblem() throws IOException {
        OlmoConfig cfg = OlmoConfig.of("olmo2", 32, 16, 24, 1, 2, 2, 32);
        try (OlmoModel m = OlmoModel.random(cfg, 1)) {
            OlmoCheckpoint.save(m, dir, false, Map.of());
        }
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replace("\"num_hidden_layers\": 1", "\"num_hidden_layers\": 2"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> OlmoCheckpoint.load(dir));
        assertTrue(e.getMessage().contains("model.layers.1."), e.getMessage());
        Files.writeString(dir.resolve("config.json"), Files.readString(dir.resolve("config.json"))
                .replace("\"olmo2\"", "\"gpt2\""));
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> OlmoCheckpoint.load(dir));
        assertTrue(t.getMessage().contains("gpt2") && t.getMessage().contains("config.json"), t.getMessage());
    }

    @Test
    void textGenerationAndScoringWithTheSavedTokenizer() {
        Cl100kVocab vocab = Cl100kVocab.firstRanks(1024);
        OlmoConfig cfg = OlmoConfig.of("olmo2", 1152, 32, 48, 2, 4, 4, 256)
                .with("eos_token_id", vocab.specialTokens().get("<|endoftext|>"));
        try (OlmoModel m = OlmoModel.random(cfg, 6)) {
            OlmoCheckpoint.save(m, dir, true, Map.of("tokenizer.json", vocab.toJson().getBytes(StandardCharsets.UTF_8)));
        }
        try (LoadedOlmo lm = LoadedOlmo.load(dir)) {
            StringBuilder streamed = new StringBuilder();
            String text = lm.generate("Hello", SamplingOptions.greedy(12), streamed::append);
            assertEquals(text, streamed.toString());
            TextScore s = lm.score("Hello world, héllo wörld!");
            assertEquals("Hello world, héllo wörld!".getBytes(StandardCharsets.UTF_8).length, s.bytes());
            assertEquals(lm.tokenizer().encodeIds("Hello world, héllo wörld!").length, s.tokens());
            // a random model is close to uniform: about log2(1152) bits per token
            double bitsPerToken = s.nllNats() / Math.log(2) / s.tokens();
            assertTrue(Math.abs(bitsPerToken - Math.log(1152) / Math.log(2)) < 1.0, "bits/token " + bitsPerToken);
        }
    }
}
