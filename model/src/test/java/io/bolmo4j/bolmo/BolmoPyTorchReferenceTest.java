package io.bolmo4j.bolmo;

import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.PyTorchReferenceTestAccess;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Bolmo logits, boundary log-probs and boundaries against an independent PyTorch forward written from docs/bolmo.md. */
class BolmoPyTorchReferenceTest {
    @TempDir
    Path dir;

    @Test
    void randomBolmoCheckpointMatchesPyTorchSpecForward() throws Exception {
        assumeTrue(PyTorchReferenceTestAccess.torchAvailable(), "/usr/bin/python3 with torch not installed");
        Cl100kVocab vocab = Cl100kVocab.firstRanks(400);
        BpeTokenizer tok = vocab.tokenizer();
        OlmoConfig teacher = OlmoConfig.of("olmo3", 512, 32, 64, 3, 4, 2, 256).with("sliding_window", 3)
                .with("layer_types", List.of(OlmoConfig.SLIDING, OlmoConfig.FULL, OlmoConfig.SLIDING));
        BolmoConfig cfg = BolmoConfig.fromTeacher(teacher, tok.vocabSize()).with("num_local_heads", 4)
                .with("local_intermediate_size", 48).with("num_local_decoder_layers", 2);
        Path ckpt = dir.resolve("bolmo");
        try (BolmoModel m = BolmoModel.random(cfg, 8)) {
            // non-trivial gates and boundary projections, so every path of the forward matters
            Random r = new Random(9);
            m.params().asMap().keySet().stream().filter(n -> n.contains("gate_preact") || n.contains("boundary_predictor"))
                    .toList().forEach(n -> m.params().putNormal(n, r, 0.3, m.params().get(n).getShape().getShape()));
            BolmoCheckpoint.save(m, ckpt, false, vocab.toJson());
        }
        Path out = dir.resolve("java.safetensors");
        String text = "The whale, the whale! Über 42 ships.";
        try (LoadedBolmo lb = LoadedBolmo.load(ckpt)) {
            LoadedBolmo.Logits l = lb.logits(text);
            int patches = 0;
            for (boolean b : l.boundaries()) {
                patches += b ? 1 : 0;
            }
            assertTrue(patches > 2 && patches < l.ids().length - 2, "mixed boundaries: " + patches);
            l.write(out);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", "src/test/python/bolmo_reference.py", ckpt.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), log);
        System.out.println("bolmo vs PyTorch: " + log.trim());
    }
}
