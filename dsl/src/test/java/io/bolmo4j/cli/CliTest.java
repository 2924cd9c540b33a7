package io.bolmo4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.io.SafetensorsFile;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line contract other tools rely on, run in-process on a small checkpoint. */
class CliTest {
    @TempDir
    static Path dir;
    static Path ckpt;

    @BeforeAll
    static void checkpoint() {
        ckpt = tinyOlmo(dir.resolve("olmo"));
    }

    /** A random 2-layer OLMo 2 (vocab 640, d 32, context 128) with cl100k's first 512 ranks as tokenizer, saved in fp32. */
    static Path tinyOlmo(Path dir) {
        Cl100kVocab vocab = Cl100kVocab.firstRanks(512);
        OlmoConfig cfg = OlmoConfig.of("olmo2", 640, 32, 48, 2, 4, 4, 128)
                .with("eos_token_id", vocab.specialTokens().get("<|endoftext|>"));
        try (OlmoModel m = OlmoModel.random(cfg, 3)) {
            OlmoCheckpoint.save(m, dir, false, Map.of("tokenizer.json", vocab.toJson().getBytes(StandardCharsets.UTF_8)));
        }
        return dir;
    }

    /** Runs the command line in-process: {exit code, stdout, stderr}. */
    static String[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new String[] {String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void infoPrintsArchitectureAndParameterCount() {
        String[] r = run("info", ckpt.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("olmo2(d=32, layers=2"), r[1]);
        assertTrue(r[1].contains(String.format("%,d", OlmoConfig.of("olmo2", 640, 32, 48, 2, 4, 4, 128).parameterCount())), r[1]);
    }

    @Test
    void scorePrintsJsonWithTheContractKeys() {
        String[] r = run("score", ckpt.toString(), "--text", "Call me Ishmael.");
        assertEquals("0", r[0], r[2]);
        JsonObject j = JsonParser.parseString(r[1]).getAsJsonObject();
        assertEquals(16, j.get("bytes").getAsInt());
        double nll = j.get("nll_nats").getAsDouble();
        assertEquals(nll / Math.log(2) / 16, j.get("bits_per_byte").getAsDouble(), 1e-9);
        assertTrue(j.get("tokens").getAsInt() > 0);
    }

    @Test
    void logitsWritesTheForwardPassForExactIds() {
        Path out = dir.resolve("logits.safetensors");
        String[] r = run("logits", ckpt.toString(), "--ids", "1,2,3,500", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        try (SafetensorsFile f = SafetensorsFile.open(out); OlmoModel m = OlmoCheckpoint.load(ckpt)) {
            assertArrayEquals(new long[] {4, 640}, f.info("logits").shape());
            float[] flat = f.readFloats("logits");
            float[][] want = m.logits(new int[] {1, 2, 3, 500});
            for (int v = 0; v < 640; v++) {
                assertEquals(want[3][v], flat[3 * 640 + v]);
            }
        }
    }

    @Test
    void generateStreamsTextAfterThePrompt() {
        String[] r = run("generate", ckpt.toString(), "--prompt", "Once", "--max-new", "5", "--temperature", "0");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("Once"), r[1]);
    }

    @Test
    void byteifyWritesABolmoDirectoryThatTheOtherCommandsAccept() throws Exception {
        Path text = dir.resolve("train.txt");
        Files.writeString(text, "It was the best of times, it was the worst of times. ".repeat(30));
        Path bolmo = dir.resolve("bolmo");
        String[] r = run("byteify", "--teacher", ckpt.toString(), "--out", bolmo.toString(), "--data", text.toString(),
                "--steps", "3", "--batch", "2", "--bytes", "64", "--eval-bytes", "400", "--checkpoint-every", "2");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("held-out: bytes="), r[1]);
        assertTrue(Files.readAllLines(bolmo.resolve("stage1_log.csv")).size() == 4);
        assertTrue(!Files.exists(bolmo.resolve("stage1_checkpoint")), "a finished stage leaves no checkpoint");
        String[] info = run("info", bolmo.toString());
        assertTrue(info[1].contains("bolmo(d=32"), info[1]);
        String[] score = run("score", bolmo.toString(), "--text", "the best of times");
        assertEquals("0", score[0], score[2]);
        JsonObject j = JsonParser.parseString(score[1]).getAsJsonObject();
        assertEquals(17, j.get("bytes").getAsInt());
        Path out = dir.resolve("bolmo-logits.safetensors");
        assertEquals("0", run("logits", bolmo.toString(), "--text", "abc", "--out", out.toString())[0]);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertArrayEquals(new long[] {4, 520}, f.info("logits").shape());
            assertArrayEquals(new long[] {4}, f.info("boundaries").shape());
        }
        assertEquals("0", run("generate", bolmo.toString(), "--prompt", "It was", "--max-new", "8")[0]);
        Path stage2 = dir.resolve("bolmo-s2");
        String[] s2 = run("stage2", bolmo.toString(), "--out", stage2.toString(), "--data", text.toString(), "--steps", "2",
                "--batch", "2", "--bytes", "64", "--eval-bytes", "300", "--target-bytes-per-patch", "6");
        assertEquals("0", s2[0], s2[2]);
        assertTrue(Files.readString(stage2.resolve("stage2_log.csv")).startsWith("step,lr,loss,ce,"));
        assertEquals("0", run("score", stage2.toString(), "--text", "times")[0]);
    }

    @Test
    void mergeStreamsATaskVectorIntoANewDirectoryAndDryRunWritesNothing() throws Exception {
        Path bolmo = dir.resolve("merge-bolmo"), instruct = dir.resolve("merge-instruct"), out = dir.resolve("merged");
        String tokenizer = Files.readString(ckpt.resolve("tokenizer.json"));
        int subwords = BpeTokenizer.load(ckpt.resolve("tokenizer.json")).vocabSize();
        try (OlmoModel base = OlmoCheckpoint.load(ckpt); BolmoModel b = Byteify.fromTeacher(base, subwords, 1);
             OlmoModel other = OlmoModel.random(base.config(), 4)) {
            BolmoCheckpoint.save(b, bolmo, true, tokenizer);
            // a heavy post-training of the base (70 % away: within the task-vector bound, beyond the base bound)
            other.params().asMap().forEach((name, w) -> w.muli(0.7f).addi(base.params().get(name)));
            OlmoCheckpoint.save(other, instruct, false, Map.of());
        }
        String[] dry = run("merge", "--bolmo", bolmo.toString(), "--instruct", instruct.toString(), "--base", ckpt.toString(),
                "--dry-run", "--out", out.toString());
        assertEquals("0", dry[0], dry[2]);
        assertTrue(dry[1].contains("to 23 tensors") && dry[1].contains("  model.norm.weight BF16[32]")
                && dry[1].contains("lm_head.weight (shapes differ"), dry[1]);
        assertTrue(!Files.exists(out));
        String[] r = run("merge", "--bolmo", bolmo.toString(), "--instruct", instruct.toString(), "--base", ckpt.toString(),
                "--alpha", "0.5", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].startsWith("merged 23 tensors"), r[1]);
        String[] score = run("score", out.toString(), "--text", "merged");
        assertEquals("0", score[0], "the output loads with its tokenizer: " + score[2]);
        String[] wrong = run("merge", "--bolmo", bolmo.toString(), "--instruct", ckpt.toString(), "--base", instruct.toString(),
                "--out", dir.resolve("never").toString());
        assertEquals("1", wrong[0]);
        assertTrue(wrong[2].contains("'model.layers.0.self_attn.q_proj.weight' differs from the Bolmo's by")
                && wrong[2].strip().lines().count() == 1, wrong[2]);
        assertTrue(!Files.exists(dir.resolve("never")));
    }

    @Test
    void badInputIsOneClearLineAndExitCode1() {
        String[] r = run("logits", ckpt.toString(), "--ids", "1,99999", "--out", dir.resolve("x").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("99999") && r[2].contains("outside the vocabulary"), r[2]);
        String[] missing = run("info", dir.resolve("nowhere").toString());
        assertEquals("2", missing[0], "a folder that does not exist is an invalid DIR argument");
        assertTrue(missing[2].contains("no such folder: " + dir.resolve("nowhere")), missing[2]);
        String[] usage = run("score", ckpt.toString());
        assertEquals("2", usage[0], "picocli usage error");
    }
}
