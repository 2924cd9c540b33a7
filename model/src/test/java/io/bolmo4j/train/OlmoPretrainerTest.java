package io.bolmo4j.train;

import ai.djl.ndarray.NDArray;
import io.bolmo4j.data.Document;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OlmoPretrainerTest {
    @TempDir
    Path dir;

    static final Cl100kVocab VOCAB = Cl100kVocab.firstRanks(300);
    static final List<Document> TRAIN = docs(
            "the cat sat on the mat. the cat sat on the mat. the dog sat on the log. ".repeat(20),
            "a b c d e f g h i j k l m n o p q r s t u v w x y z ".repeat(20));
    static final List<Document> VALID = docs("the cat sat on the log. the dog sat on the mat. ".repeat(10));
    static final OlmoPretrainer.Config CFG = OlmoPretrainer.Config.defaults().with("steps", 8).with("batch", 4).with("context", 32).with("lr", 1e-2)
            .with("warmupFraction", 0.25).with("seed", 7).with("evalEvery", 4).with("checkpointEvery", 100).with("evalWindows", 4);

    private static List<Document> docs(String... texts) {
        return IntStream.range(0, texts.length).mapToObj(i -> new Document("d" + i, texts[i], "test")).toList();
    }

    private static OlmoModel model() {
        return OlmoModel.random(OlmoPretrainer.teacherConfig(VOCAB.tokenizer(), 32, 2, 2, 64, 64), 3);
    }

    @Test
    void lossFallsAndTheRunWritesAnHfCheckpointAndLog() throws Exception {
        try (OlmoModel m = model()) {
            OlmoPretrainer p = new OlmoPretrainer(m, VOCAB.tokenizer(), TRAIN, VALID, CFG);
            double before = p.validationBitsPerByte();
            double after = p.run(dir.resolve("a"), VOCAB.toJson());
            assertTrue(after < before * 0.8, "validation bits/byte " + before + " -> " + after);
        }
        List<String> log = Files.readAllLines(dir.resolve("a/train_log.csv"));
        assertEquals(9, log.size(), "header + 8 steps");
        try (OlmoModel back = OlmoCheckpoint.load(dir.resolve("a"))) {
            assertEquals(32, back.config().hiddenSize);
        }
        assertTrue(Files.exists(dir.resolve("a/tokenizer.json")));
    }

    @Test
    void aStoppedRunResumesToTheSameParameters() throws Exception {
        Map<String, float[]> straight = new HashMap<>();
        try (OlmoModel m = model()) {
            new OlmoPretrainer(m, VOCAB.tokenizer(), TRAIN, VALID, CFG).run(dir.resolve("straight"), VOCAB.toJson());
            m.params().asMap().forEach((k, v) -> straight.put(k, v.toFloatArray()));
        }
        try (OlmoModel m = model()) {
            OlmoPretrainer p = new OlmoPretrainer(m, VOCAB.tokenizer(), TRAIN, VALID, CFG);
            p.stopAfter(3);
            assertTrue(Double.isNaN(p.run(dir.resolve("resumed"), VOCAB.toJson())));
        }
        try (OlmoModel fresh = model()) { // a new process: fresh model, state from the checkpoint
            new OlmoPretrainer(fresh, VOCAB.tokenizer(), TRAIN, VALID, CFG).run(dir.resolve("resumed"), VOCAB.toJson());
            for (Map.Entry<String, NDArray> e : fresh.params().asMap().entrySet()) {
                assertArrayEquals(straight.get(e.getKey()), e.getValue().toFloatArray(), 1e-6f, e.getKey());
            }
        }
        List<String> a = Files.readAllLines(dir.resolve("straight/train_log.csv")), b = Files.readAllLines(dir.resolve("resumed/train_log.csv"));
        assertEquals(a.size(), b.size(), "one log row per step, no duplicates after the resume");
        for (int i = 1; i < a.size(); i++) {
            assertEquals(a.get(i).split(",")[2], b.get(i).split(",")[2], "same loss at step " + i);
        }
    }
}
