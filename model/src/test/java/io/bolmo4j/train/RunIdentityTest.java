package io.bolmo4j.train;

import io.bolmo4j.engine.Backend;
import io.bolmo4j.engine.Params;
import io.bolmo4j.olmo.OlmoModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static io.bolmo4j.train.OlmoPretrainerTest.CFG;
import static io.bolmo4j.train.OlmoPretrainerTest.TRAIN;
import static io.bolmo4j.train.OlmoPretrainerTest.VALID;
import static io.bolmo4j.train.OlmoPretrainerTest.VOCAB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A training checkpoint records what its run started from; the Trainer refuses to resume it from another model. */
class RunIdentityTest {
    @TempDir
    Path dir;

    private static Params weights(long seed) {
        Params p = Params.create();
        p.putNormal("layer.weight", new Random(seed), 0.02, 64, 48);
        p.putNormal("norm.weight", new Random(seed + 1), 1, 48);
        return p;
    }

    @Test
    void theFingerprintIsTheWeightsNotTheName() {
        Backend.noGrad();
        try (Params a = weights(1); Params same = weights(1); Params b = weights(2)) {
            assertEquals(RunIdentity.of("teacher runs/a", a.asMap()).fingerprint(),
                    RunIdentity.of("another name", same.asMap()).fingerprint());
            assertNotEquals(RunIdentity.of("teacher runs/a", a.asMap()).fingerprint(),
                    RunIdentity.of("teacher runs/a", b.asMap()).fingerprint());
        }
    }

    @Test
    void anotherModelsCheckpointIsRefusedNamingBothAndLeftUnread() throws IOException {
        Path out = dir.resolve("run");
        try (OlmoModel a = model(3)) {
            OlmoPretrainer p = new OlmoPretrainer(a, VOCAB.tokenizer(), TRAIN, VALID, CFG).startsFrom("base runs/a");
            p.stopAfter(2);
            assertTrue(Double.isNaN(p.run(out, VOCAB.toJson())));
        }
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint/params.safetensors"));
        try (OlmoModel b = model(4)) {
            Map<String, float[]> before = new HashMap<>();
            b.params().asMap().forEach((k, v) -> before.put(k, v.toFloatArray()));
            String fingerprint = RunIdentity.of("", b.params().asMap()).fingerprint();
            OlmoPretrainer p = new OlmoPretrainer(b, VOCAB.tokenizer(), TRAIN, VALID, CFG).startsFrom("base runs/b");
            for (boolean anyway : new boolean[] {false, true}) { // no setting overrides it
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.run(out, Map.of("tokenizer.json", VOCAB.toJson().getBytes(StandardCharsets.UTF_8)), anyway));
                assertTrue(e.getMessage().contains("was started from base runs/a (weights #")
                        && e.getMessage().contains("not from this run's base runs/b (weights #" + fingerprint + ")"), e.getMessage());
            }
            b.params().asMap().forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), k + " was not loaded"));
        }
        assertArrayEquals(checkpoint, Files.readAllBytes(out.resolve("checkpoint/params.safetensors")), "the checkpoint is kept");
        try (OlmoModel a = model(3)) { // the model it started from resumes it
            new OlmoPretrainer(a, VOCAB.tokenizer(), TRAIN, VALID, CFG).startsFrom("base runs/a (moved)").run(out, VOCAB.toJson());
        }
        assertEquals(CFG.loop().steps() + 1, Files.readAllLines(out.resolve("train_log.csv")).size());
    }

    private static OlmoModel model(long seed) {
        return OlmoModel.random(OlmoPretrainer.teacherConfig(VOCAB.tokenizer(), 32, 2, 2, 64, 64), seed);
    }
}
