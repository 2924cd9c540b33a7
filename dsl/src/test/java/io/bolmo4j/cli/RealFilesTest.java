package io.bolmo4j.cli;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.bolmo.checkpoint.SubwordTokenizerFile;
import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Directories shaped like the ones Ai2 publishes, with the real dolma2 {@code tokenizer.json} and the real
 * configuration keys (small widths and random weights so the test stays fast): an OLMo 2 1B-like instruct model runs
 * every text command, and a Bolmo-1B-like directory without {@code tokenizer.json} finds its vocabulary in a Hugging
 * Face cache, in a separate process with that environment, or fails with one clear line.
 */
class RealFilesTest {
    /** OLMo 2 Instruct's turn layout, written here from its description (BOS, then role lines, EOS after answers). */
    static final String TULU_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{% if message['role'] == 'system' %}{{ '<|system|>\\n' + message['content'] + '\\n' }}"
            + "{% elif message['role'] == 'user' %}{{ '<|user|>\\n' + message['content'] + '\\n' }}"
            + "{% elif message['role'] == 'assistant' %}{{ '<|assistant|>\\n' + message['content'] + eos_token + '\\n' }}{% endif %}"
            + "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}{% endfor %}";
    static final String TEXT = "Call me Ishmael. Naïve café 東京 👍🏽\r\n  12345<|endoftext|>";

    @TempDir
    static Path root;
    static Path tokenizer;
    static Path olmo;
    static Path bolmo;
    static Path hub;

    @BeforeAll
    static void directories() throws IOException {
        tokenizer = root.resolve("dolma2-tokenizer.json");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                Path.of("../model/src/test/resources/io/bolmo4j/tokenizer/dolma2-tokenizer.json.gz")))) {
            Files.write(tokenizer, in.readAllBytes());
        }
        String tokenizerJson = Files.readString(tokenizer);
        // OLMo-2-0425-1B-Instruct's config.json values, with small widths: vocabulary, specials, RoPE, norm eps
        OlmoConfig cfg = OlmoConfig.of("olmo2", 100352, 64, 128, 2, 4, 4, 4096)
                .with("eos_token_id", 100257).with("pad_token_id", 100277).with("bos_token_id", null)
                .with("rope_theta", 500000.0).with("rms_norm_eps", 1e-6).with("tie_word_embeddings", false);
        olmo = root.resolve("OLMo-2-0425-1B-Instruct");
        JsonObject tokenizerConfig = new JsonObject();
        tokenizerConfig.addProperty("bos_token", "<|endoftext|>");
        tokenizerConfig.addProperty("eos_token", "<|endoftext|>");
        tokenizerConfig.addProperty("pad_token", "<|pad|>");
        tokenizerConfig.addProperty("chat_template", TULU_TEMPLATE);
        try (OlmoModel m = OlmoModel.random(cfg, 7)) {
            OlmoCheckpoint.save(m, olmo, true, Map.of("tokenizer.json", tokenizerJson.getBytes(StandardCharsets.UTF_8),
                    "tokenizer_config.json", tokenizerConfig.toString().getBytes(StandardCharsets.UTF_8),
                    "generation_config.json", "{\"eos_token_id\": [100257, 100265], \"pad_token_id\": 100277}"
                            .getBytes(StandardCharsets.UTF_8)));
            bolmo = root.resolve("Bolmo-1B");
            try (BolmoModel b = Byteify.fromTeacher(m, 100278, 3)) {
                BolmoCheckpoint.save(b, bolmo, true, tokenizerJson);
            }
        }
        // as released: no tokenizer.json (nor bolmo4j's teacher folder), the vocabulary named by original_identifier
        Files.delete(bolmo.resolve("tokenizer.json"));
        AtomicFiles.deleteTree(bolmo.resolve(SubwordTokenizerFile.TEACHER_FOLDER));
        JsonObject config = JsonParser.parseString(Files.readString(bolmo.resolve("config.json"))).getAsJsonObject();
        config.getAsJsonObject("tokenizer_config").addProperty("original_identifier", "allenai/dolma2-tokenizer");
        Files.writeString(bolmo.resolve("config.json"), config.toString());
        hub = root.resolve("hub");
        Path repo = hub.resolve("models--allenai--dolma2-tokenizer");
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), "0123abcd\n");
        Files.createDirectories(repo.resolve("snapshots/0123abcd"));
        Files.copy(tokenizer, repo.resolve("snapshots/0123abcd/tokenizer.json"));
    }

    @Test
    void anOlmo2InstructShapedDirectoryRunsEveryTextCommand() throws IOException {
        String[] info = CliTest.run("info", olmo.toString());
        assertEquals("0", info[0], info[2]);
        assertTrue(info[1].contains("olmo2"), info[1]);

        String[] tok = CliTest.run("tokenize", olmo.toString(), "--text", TEXT, "--add-special-tokens");
        assertEquals("0", tok[0], tok[2]);
        JsonArray ids = JsonParser.parseString(tok[1]).getAsJsonObject().getAsJsonArray("ids");
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizer)
                .optTruncation(false).optAddSpecialTokens(true).build()) {
            Encoding want = hf.encode(TEXT);
            long[] got = new long[ids.size()];
            for (int i = 0; i < got.length; i++) {
                got[i] = ids.get(i).getAsLong();
            }
            assertArrayEquals(want.getIds(), got, "ids of the real dolma2 tokenizer, as the Rust library gives them");
        }

        String[] score = CliTest.run("score", olmo.toString(), "--text", "Call me Ishmael.");
        assertEquals("0", score[0], score[2]);
        JsonObject s = JsonParser.parseString(score[1]).getAsJsonObject();
        assertEquals(16, s.get("bytes").getAsInt());
        assertTrue(s.get("bits_per_byte").getAsDouble() > 0);

        String[] gen = CliTest.run("generate", olmo.toString(), "--prompt", "Call me", "--max-new", "4", "--temperature", "0");
        assertEquals("0", gen[0], gen[2]);
        assertTrue(gen[1].startsWith("Call me"), gen[1]);

        String[] chat = CliTest.run("chat", olmo.toString(), "--system", "Be brief.", "--message", "Name a whale.", "--max-new", "4");
        assertEquals("0", chat[0], chat[2]);
    }

    @Test
    void aBolmo1BShapedDirectoryFindsItsVocabularyInTheHuggingFaceCache() throws Exception {
        String[] found = cli(Map.of("HF_HUB_CACHE", hub.toString()), "score", bolmo.toString(), "--text", "Call me Ishmael.");
        assertEquals("0", found[0], found[2]);
        assertEquals(16, JsonParser.parseString(found[1]).getAsJsonObject().get("bytes").getAsInt());

        Path empty = Files.createDirectories(root.resolve("empty-hub"));
        String[] missing = cli(Map.of("HF_HUB_CACHE", empty.toString()), "score", bolmo.toString(), "--text", "x");
        assertEquals("1", missing[0]);
        String line = missing[2].strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("allenai/dolma2-tokenizer") && line.contains("huggingface-cli download"), line);
    }

    /** Runs the command line in a fresh JVM with {@code env} added to the environment: {exit code, stdout, stderr}. */
    private static String[] cli(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("HF_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile(root, "out", ".txt"), err = Files.createTempFile(root, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the command line did not finish");
        return new String[] {String.valueOf(p.exitValue()), Files.readString(out), Files.readString(err)};
    }
}
