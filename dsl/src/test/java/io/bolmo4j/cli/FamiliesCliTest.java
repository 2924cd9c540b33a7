package io.bolmo4j.cli;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.checkpoint.BolmoCheckpoint;
import io.bolmo4j.engine.Params;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command on checkpoints of the families people byteify, shaped as published (real config.json keys at small
 * widths, the real vocabulary sizes, tokenizer.json and tokenizer_config.json with its chat template): Llama 3.2
 * (tied embeddings, llama3 RoPE), Llama 3.1 (untied), Qwen 2.5 (q/k/v biases) and Qwen 3 (per-head QK-norm). With
 * .venv-oracles present transformers writes the checkpoints and {@code bolmo4j logits} must equal its logits; without it
 * bolmo4j writes them from the same config.json. Then tokenize (against the Rust library), score, generate, chat,
 * byteify, the Bolmo's tokenize / generate / chat (in the teacher's template) / score, evaluate and Stage 2 with the
 * teacher's entropy merges (Qwen 3), a task-vector merge with an instruct model of the family, and
 * export-run's blockers.
 */
class FamiliesCliTest {
    static final String TEXT = "Call me Ishmael. Naïve café 東京 👍🏽\r\n  12345 <|im_start|>x";
    @TempDir
    static Path root;
    static final Map<String, Path> DIRS = new LinkedHashMap<>();
    static final Map<String, Path> HF_LOGITS = new LinkedHashMap<>();
    static final Map<String, int[]> IDS = new LinkedHashMap<>();
    static String transformers;

    /** config.json of each family's published checkpoint with small widths; vocabulary, RoPE and special ids as released. */
    static final Map<String, String> CONFIGS = Map.of(
            "llama-3.2", """
                    {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "hidden_size": 32,
                     "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                     "head_dim": 8, "hidden_act": "silu", "max_position_embeddings": 131072, "rms_norm_eps": 1e-05,
                     "rope_theta": 500000.0, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "tie_word_embeddings": true,
                     "attention_bias": false, "mlp_bias": false, "bos_token_id": 128000,
                     "eos_token_id": [128001, 128008, 128009]}""",
            "llama-3.1", """
                    {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 128256, "hidden_size": 32,
                     "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 1,
                     "hidden_act": "silu", "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
                     "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                     "original_max_position_embeddings": 8192, "rope_type": "llama3"}, "tie_word_embeddings": false,
                     "bos_token_id": 128000, "eos_token_id": 128001}""",
            "qwen2.5", """
                    {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 151936, "hidden_size": 32,
                     "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                     "hidden_act": "silu", "max_position_embeddings": 32768, "max_window_layers": 21, "rms_norm_eps": 1e-06,
                     "rope_theta": 1000000.0, "sliding_window": 32768, "use_sliding_window": false, "tie_word_embeddings": true,
                     "bos_token_id": 151643, "eos_token_id": 151645}""",
            "qwen3", """
                    {"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 151936, "hidden_size": 32,
                     "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                     "head_dim": 16, "hidden_act": "silu", "max_position_embeddings": 40960, "max_window_layers": 28,
                     "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 1000000, "sliding_window": null,
                     "use_sliding_window": false, "tie_word_embeddings": true, "attention_bias": false,
                     "bos_token_id": 151643, "eos_token_id": 151645}""");
    static final Map<String, String> GENERATION = Map.of(
            "llama-3.2", "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128008, 128009]}",
            "llama-3.1", "{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128008, 128009]}",
            "qwen2.5", "{\"bos_token_id\": 151643, \"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643}",
            "qwen3", "{\"bos_token_id\": 151643, \"eos_token_id\": [151645, 151643], \"pad_token_id\": 151643}");
    /** End-of-text (document) token of each family: what the Bolmo's byte BOS also stands for. */
    static final Map<String, String> END_OF_TEXT = Map.of("llama-3.2", "<|end_of_text|>", "llama-3.1", "<|end_of_text|>",
            "qwen2.5", "<|endoftext|>", "qwen3", "<|endoftext|>");

    static Path resource(String path) {
        return Path.of("../model/src/test/resources/families").resolve(path);
    }

    static String gunzip(Path gz) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The family's real tokenizer.json: Llama 3's, Qwen 3's, and Qwen 2.5's (Qwen 3's without its four newer added tokens). */
    static String tokenizerJson(String family) throws IOException {
        if (family.startsWith("llama")) {
            return gunzip(resource("llama3/tokenizer.json.gz"));
        }
        JsonObject j = JsonParser.parseString(gunzip(resource("qwen3/tokenizer.json.gz"))).getAsJsonObject();
        if (family.equals("qwen2.5")) {
            JsonArray kept = new JsonArray();
            j.getAsJsonArray("added_tokens").forEach(t -> {
                if (t.getAsJsonObject().get("id").getAsInt() < 151665) {
                    kept.add(t);
                }
            });
            j.add("added_tokens", kept);
        }
        return j.toString();
    }

    @BeforeAll
    static void checkpoints() throws Exception {
        Optional<Path> python = Transformers.python();
        List<Transformers.Spec> specs = new ArrayList<>();
        for (Map.Entry<String, String> e : CONFIGS.entrySet()) {
            String family = e.getKey();
            Path dir = root.resolve(family);
            DIRS.put(family, dir);
            JsonObject config = JsonParser.parseString(e.getValue()).getAsJsonObject();
            IDS.put(family, new Random(family.hashCode()).ints(19, 0, config.get("vocab_size").getAsInt()).toArray());
            if (python.isPresent()) {
                HF_LOGITS.put(family, root.resolve(family + "-hf.safetensors"));
                specs.add(new Transformers.Spec(config, dir, IDS.get(family), HF_LOGITS.get(family), 3));
            } else {
                try (OlmoModel m = OlmoModel.random(OlmoConfig.fromJson(config, family), 3)) {
                    OlmoCheckpoint.save(m, dir, false, Map.of());
                }
            }
        }
        if (python.isPresent()) {
            transformers = Transformers.write(python.get(), specs.toArray(Transformers.Spec[]::new));
        }
        for (Map.Entry<String, Path> e : DIRS.entrySet()) {
            String family = e.getKey();
            Path dir = e.getValue();
            Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson(family));
            String tokenizerConfig = family.startsWith("llama") ? "llama3" : family.equals("qwen3") ? "qwen3" : "qwen2_5";
            Files.copy(resource(tokenizerConfig + "/tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
            Files.writeString(dir.resolve("generation_config.json"), GENERATION.get(family));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-3.2", "llama-3.1", "qwen2.5", "qwen3"})
    void everyCommandRunsOnTheFamily(String family) throws Exception {
        Path dir = DIRS.get(family);
        if (HF_LOGITS.containsKey(family)) {
            Path ours = root.resolve(family + "-bolmo4j.safetensors");
            String[] r = CliTest.run("logits", dir.toString(), "--ids",
                    Arrays.stream(IDS.get(family)).mapToObj(Integer::toString).collect(Collectors.joining(",")), "--out", ours.toString());
            assertEquals("0", r[0], r[2]);
            double err = TransformersLogitsTest.relativeError(TransformersLogitsTest.read(HF_LOGITS.get(family)),
                    TransformersLogitsTest.read(ours));
            System.out.printf("%s (real vocabulary): bolmo4j logits vs %s, relative error %.2e%n", family, transformers, err);
            assertTrue(err <= 1e-4, family + ": relative error " + err);
        }
        String[] info = CliTest.run("info", dir.toString());
        assertEquals("0", info[0], info[2]);
        assertTrue(info[1].contains(CONFIGS.get(family).contains("qwen3") ? "qwen3(" : family.startsWith("llama") ? "llama(" : "qwen2("), info[1]);

        String[] tok = CliTest.run("tokenize", dir.toString(), "--text", TEXT, "--add-special-tokens");
        assertEquals("0", tok[0], tok[2]);
        JsonArray ids = JsonParser.parseString(tok[1]).getAsJsonObject().getAsJsonArray("ids");
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.builder().optTokenizerPath(dir.resolve("tokenizer.json"))
                .optTruncation(false).optAddSpecialTokens(true).build()) {
            Encoding want = hf.encode(TEXT);
            assertArrayEquals(want.getIds(), ids.asList().stream().mapToLong(x -> x.getAsLong()).toArray(), "the Rust library's ids");
        }
        String[] score = CliTest.run("score", dir.toString(), "--text", "Call me Ishmael.");
        assertEquals("0", score[0], score[2]);
        assertEquals(16, JsonParser.parseString(score[1]).getAsJsonObject().get("bytes").getAsInt());
        String[] gen = CliTest.run("generate", dir.toString(), "--prompt", "Call me", "--max-new", "3");
        assertEquals("0", gen[0], gen[2]);
        String[] chat = CliTest.run("chat", dir.toString(), "--system", "Be brief.", "--message", "Name a whale.", "--max-new", "3");
        assertEquals("0", chat[0], chat[2]);

        Path bolmo = root.resolve(family + "-bolmo");
        String[] byteify = CliTest.run("byteify", "--teacher", dir.toString(), "--out", bolmo.toString(), "--steps", "2",
                "--batch", "2", "--bytes", "96", "--eval-bytes", "400");
        assertEquals("0", byteify[0], byteify[2]);
        assertTrue(Files.exists(bolmo.resolve("stage1_eval.json")), byteify[1]);
        JsonObject bolmoConfig = JsonParser.parseString(Files.readString(bolmo.resolve("config.json"))).getAsJsonObject();
        assertEquals(JsonParser.parseString(CONFIGS.get(family)).getAsJsonObject().get("model_type").getAsString(),
                bolmoConfig.get("teacher_model_type").getAsString(), "the Bolmo records its teacher's family");
        BpeTokenizer reloaded = BolmoCheckpoint.subwordTokenizer(bolmo);
        assertEquals(END_OF_TEXT.get(family), reloaded.tokenString(reloaded.documentTokens().endOfText().getAsInt()),
                "the teacher's document tokens travel with the Bolmo");
        JsonObject tokCfg = JsonParser.parseString(Files.readString(bolmo.resolve("tokenizer_config.json"))).getAsJsonObject();
        assertTrue(tokCfg.has("chat_template"), "the teacher's chat template travels with the Bolmo");

        String[] bolmoTok = CliTest.run("tokenize", bolmo.toString(), "--text", "a" + END_OF_TEXT.get(family) + "b", "--add-special-tokens");
        assertEquals("0", bolmoTok[0], bolmoTok[2]);
        assertEquals("[1,101,1,102]", JsonParser.parseString(bolmoTok[1]).getAsJsonObject().get("byte_ids").toString(),
                "the family's end-of-text token is the byte BOS");
        String[] bolmoGen = CliTest.run("generate", bolmo.toString(), "--prompt", "Call me", "--max-new", "4");
        assertEquals("0", bolmoGen[0], bolmoGen[2]);
        String[] bolmoChat = CliTest.run("chat", bolmo.toString(), "--message", "Name a whale.", "--max-new", "4");
        assertEquals("0", bolmoChat[0], bolmoChat[2]);
        String[] bolmoScore = CliTest.run("score", bolmo.toString(), "--text", "Call me Ishmael.");
        assertEquals("0", bolmoScore[0], bolmoScore[2]);
        if (family.equals("qwen3")) {
            String[] evaluate = CliTest.run("evaluate", bolmo.toString(), "--teacher", dir.toString(), "--eval-bytes", "300", "--json");
            assertEquals("0", evaluate[0], evaluate[2]);
            assertTrue(JsonParser.parseString(evaluate[1]).getAsJsonObject().toString().contains("teacher"), evaluate[1]);
            String[] stage2 = CliTest.run("stage2", bolmo.toString(), "--out", root.resolve(family + "-s2").toString(), "--teacher",
                    dir.toString(), "--steps", "1", "--batch", "2", "--bytes", "96", "--eval-bytes", "300", "--merges", "ENTROPY",
                    "--target-bytes-per-patch", "6");
            assertEquals("0", stage2[0], stage2[2]);
        }

        // an instruct model of the family: the base moved a little
        Path instruct = root.resolve(family + "-instruct");
        try (OlmoModel base = OlmoCheckpoint.load(dir)) {
            Params p = base.params();
            Random rng = new Random(1);
            for (String n : p.asMap().keySet().stream().filter(n -> n.startsWith("model.layers.")).toList()) {
                float[] v = p.get(n).toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] += 0.001f * (float) rng.nextGaussian();
                }
                p.put(n, v, p.get(n).getShape().getShape());
            }
            OlmoCheckpoint.save(base, instruct, false, Map.of("tokenizer.json", Files.readAllBytes(dir.resolve("tokenizer.json"))));
        }
        Path merged = root.resolve(family + "-merged");
        String[] merge = CliTest.run("merge", "--bolmo", bolmo.toString(), "--instruct", instruct.toString(), "--base", dir.toString(),
                "--out", merged.toString());
        assertEquals("0", merge[0], merge[2]);
        String[] mergedGen = CliTest.run("generate", merged.toString(), "--prompt", "Call me", "--max-new", "4");
        assertEquals("0", mergedGen[0], mergedGen[2]);

        Path text = Files.writeString(root.resolve(family + ".txt"), "The people of the United States. Call me Ishmael.\n");
        String[] export = CliTest.run("export-run", "--teacher", dir.toString(), "--data", text.toString(), "--out",
                root.resolve(family + "-run").toString());
        assertEquals("0", export[0], export[2]);
        String run = Files.readString(root.resolve(family + "-run/README.md"));
        assertTrue(run.contains("bolmo-core's Bolmo global model is an OLMo 2 / Olmo 3 transformer"), run);
    }
}
