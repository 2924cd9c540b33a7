package io.bolmo4j.cli;

import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --engine}: the Java engine (the CPU default) and DJL give the same text and scores. */
class EngineCliTest {
    @TempDir
    static Path dir;
    static Path olmo;
    static Path bolmo;

    @BeforeAll
    static void checkpoints() throws Exception {
        olmo = CliTest.tinyOlmo(dir.resolve("olmo"));
        String tokenizer = Files.readString(olmo.resolve("tokenizer.json"));
        try (var teacher = OlmoCheckpoint.load(olmo); BolmoModel b = Byteify.fromTeacher(teacher, BpeTokenizer.fromJson(tokenizer).vocabSize(), 1)) {
            bolmo = dir.resolve("bolmo");
            BolmoCheckpoint.save(b, bolmo, true, tokenizer);
        }
    }

    private static double nll(String... args) {
        String[] r = CliTest.run(args);
        assertEquals("0", r[0], r[2]);
        return JsonParser.parseString(r[1]).getAsJsonObject().get("nll_nats").getAsDouble();
    }

    @Test
    void bothEnginesGenerateTheSameGreedyTextAndScoreAlike() {
        for (Path model : new Path[] {olmo, bolmo}) {
            String[] java = CliTest.run("generate", model.toString(), "--prompt", "Call me", "--max-new", "12", "--temperature", "0", "--engine", "java");
            String[] djl = CliTest.run("generate", model.toString(), "--prompt", "Call me", "--max-new", "12", "--temperature", "0", "--engine", "djl");
            assertEquals("0", java[0], java[2]);
            assertEquals(djl[1], java[1], model + ": the same greedy continuation");
            assertTrue(java[1].strip().length() > "Call me".length(), java[1]);
            double a = nll("score", model.toString(), "--text", "Call me Ishmael.", "--engine", "java");
            double b = nll("score", model.toString(), "--text", "Call me Ishmael.", "--engine", "djl");
            assertEquals(b, a, 1e-5 * Math.abs(b), model + ": the same negative log-likelihood");
        }
    }

    @Test
    void anUnknownEngineIsOneLineOfError() {
        String[] r = CliTest.run("generate", olmo.toString(), "--prompt", "x", "--engine", "cuda");
        assertEquals("1", r[0]);
        assertEquals(1, r[2].strip().lines().count(), r[2]);
        assertTrue(r[2].contains("unknown engine 'cuda': use auto, java or djl"), r[2]);
    }

    @Test
    void benchComparesJavaDecodingWithTransformersOrSaysWhyNot() throws Exception {
        Path venv = Files.createDirectories(dir.resolve("no-python"));
        String[] r = CliTest.run("bench", "--model", olmo.toString(), "--seq", "16", "--decode", "8", "--repeats", "1",
                "--anchor-venv", venv.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("inference engine java"), r[1]);
        assertTrue(r[1].matches("(?s).*decode, java engine +: +[0-9.]+ tokens/s.*"), r[1]);
        assertTrue(r[1].contains("python anchor            : skipped: " + venv + "/bin/python not found"), r[1]);
    }
}
