package io.bolmo4j.bolmo.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.Byteify;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.merge.TaskVectorMerge;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.Message;
import io.bolmo4j.hub.LoopbackHub;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.oracle.Python311;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Bolmo that bolmo4j saves loads in transformers as a released one: config.json, tokenizer_config.json and
 * generation_config.json carry every key of the released files with the released meaning, the auto_map points at the
 * released remote code on the Hub, original_identifier names a tokenizer transformers can load (the teacher's Hub id,
 * else the teacher's tokenizer saved beside the weights), and the teacher's chat template travels along; all of it
 * survives load and save, and a merge takes the instruct model's chat template and stop ids.
 */
class TransformersFilesTest {
    /**
     * The keys of the released config.json: what Ai2's BolmoConfig (bolmo-core's configuration_bolmo.py, the class the
     * released files were written with) writes through save_pretrained, less transformers_version (the writer's
     * version, not the model's).
     */
    static final Set<String> RELEASED_CONFIG = Set.of("add_expanded_embeddings", "architectures", "attention_bias",
            "attention_dropout", "auto_map", "bos_token_id", "boundary_predictor_lookahead", "boundary_threshold", "eos_token_id",
            "hidden_act", "hidden_size", "initializer_range", "intermediate_size", "layer_types", "local_intermediate_size",
            "local_rms_norm_eps", "max_position_embeddings", "model_type", "num_attention_heads", "num_hidden_layers",
            "num_key_value_heads", "num_local_decoder_layers", "num_local_encoder_layers", "num_local_heads", "pad_token_id",
            "rms_norm_eps", "rope_scaling", "rope_theta", "sliding_window", "subword_vocab_size", "tie_word_embeddings",
            "tokenizer_config", "torch_dtype", "use_cache", "vocab_size");
    /** The byte tokenizer block of the released config.json (BolmoTokenizerConfig.bolmo()). */
    static final String RELEASED_BYTE_TOKENIZER = "{\"vocab_size\":520,\"bos_token_id\":1,\"pad_token_id\":0,\"eos_token_id\":1,"
            + "\"bpe_token_end_id\":3,\"special_tokens\":[\"<pad>\",\"<bos>\",\"<eos>\",\"<bpe_token_end>\"],\"special_tokens_first\":true}";
    /** The keys of the released tokenizer_config.json, as Ai2's BolmoTokenizer saves itself. */
    static final Set<String> RELEASED_TOKENIZER_CONFIG = Set.of("added_tokens_decoder", "auto_map", "bos_token",
            "clean_up_tokenization_spaces", "eos_token", "extra_ids", "model_max_length", "pad_token", "tokenizer_class");
    static final String OLMO2_TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n"
            + "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
    static final String CHATML_TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    static final List<Message> CHAT = List.of(Message.system("Be brief."), Message.user("Name a whale."));
    static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";
    static final OlmoConfig GLOBAL = OlmoConfig.of("olmo2", 4224, 32, 64, 2, 4, 4, 256).with("eos_token_id", 4096)
            .with("pad_token_id", 4097);

    @TempDir
    static Path root;
    static Path base, instruct, bolmo, hubBolmo;
    static int subwordVocab;

    /** A model folder: random weights of {@link #GLOBAL}, the tiny teacher's vocabulary and a chat template. */
    static void olmo(Path dir, long seed, String template, String generationEos) throws IOException {
        Path tokenizer = BuiltinModels.path(BuiltinModels.TINY).resolve("tokenizer.json");
        try (OlmoModel m = OlmoModel.random(GLOBAL, seed)) {
            OlmoCheckpoint.save(m, dir, false, Map.of("tokenizer.json", Files.readAllBytes(tokenizer)));
        }
        JsonObject tc = new JsonObject();
        tc.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        tc.addProperty("bos_token", "<|endoftext|>");
        tc.addProperty("eos_token", "<|endoftext|>");
        tc.addProperty("pad_token", "<|pad|>");
        tc.addProperty("chat_template", template);
        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), tc.toString());
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": " + generationEos + ", \"pad_token_id\": 4097}");
    }

    @BeforeAll
    static void folders() throws IOException {
        base = root.resolve("base");
        instruct = root.resolve("instruct");
        olmo(base, 1, OLMO2_TEMPLATE, "4096");
        olmo(instruct, 2, CHATML_TEMPLATE, "[4096, 4097]");
        subwordVocab = BpeTokenizer.load(base.resolve("tokenizer.json")).vocabSize();
        // the same base teacher as the Hub's cache holds it, so that its id is known
        Path snapshot = root.resolve("hub/models--acme--teacher/snapshots").resolve(COMMIT);
        Files.createDirectories(snapshot);
        try (var s = Files.list(base)) {
            for (Path f : s.toList()) {
                Files.copy(f, snapshot.resolve(f.getFileName()));
            }
        }
        bolmo = root.resolve("bolmo");
        hubBolmo = root.resolve("bolmo-hub-teacher");
        try (OlmoModel b = OlmoCheckpoint.load(base); BolmoModel m = Byteify.fromTeacher(b, subwordVocab, 3)) {
            BolmoCheckpoint.save(m, bolmo, false, TeacherTokenizer.of(base));
            BolmoCheckpoint.save(m, hubBolmo, false, TeacherTokenizer.of(snapshot));
        }
    }

    static JsonObject json(Path f) throws IOException {
        return JsonParser.parseString(Files.readString(f)).getAsJsonObject();
    }

    @Test
    void aSavedBolmoCarriesEveryReleasedKeyWithItsMeaning() throws IOException {
        JsonObject c = json(bolmo.resolve("config.json"));
        Set<String> missing = new TreeSet<>(RELEASED_CONFIG);
        missing.removeAll(c.keySet());
        assertEquals(Set.of(), missing, "config.json lacks released keys");
        assertEquals("bolmo", c.get("model_type").getAsString());
        assertEquals(520, c.get("vocab_size").getAsInt());
        assertEquals(List.of(0, 1, 1), List.of(c.get("pad_token_id").getAsInt(), c.get("bos_token_id").getAsInt(), c.get("eos_token_id").getAsInt()));
        assertEquals("[\"BolmoForCausalLM\"]", c.get("architectures").toString());
        assertEquals("{\"AutoConfig\":\"allenai/Bolmo-1B--configuration_bolmo.BolmoConfig\",\"AutoModel\":"
                + "\"allenai/Bolmo-1B--modeling_bolmo.BolmoModel\",\"AutoModelForCausalLM\":"
                + "\"allenai/Bolmo-1B--modeling_bolmo.BolmoForCausalLM\"}", c.get("auto_map").toString());
        assertEquals(List.of("sample:0", "1", "true", "false"), List.of(c.get("boundary_threshold").getAsString(),
                c.get("boundary_predictor_lookahead").getAsString(), c.get("add_expanded_embeddings").getAsString(),
                c.get("tie_word_embeddings").getAsString()));
        assertEquals(subwordVocab, c.get("subword_vocab_size").getAsInt());
        JsonObject byteTok = c.getAsJsonObject("tokenizer_config").deepCopy();
        assertEquals("teacher", byteTok.remove("original_identifier").getAsString(), "no Hub id: the folder beside the weights");
        assertEquals(JsonParser.parseString(RELEASED_BYTE_TOKENIZER), byteTok);
        assertEquals("acme/teacher", json(hubBolmo.resolve("config.json")).getAsJsonObject("tokenizer_config")
                .get("original_identifier").getAsString(), "the teacher's Hub id when it came from the Hub's cache");

        JsonObject t = json(bolmo.resolve("tokenizer_config.json"));
        assertTrue(t.keySet().containsAll(RELEASED_TOKENIZER_CONFIG), t.keySet().toString());
        assertEquals("[\"allenai/Bolmo-1B--tokenization_bolmo.BolmoTokenizer\",null]", t.getAsJsonObject("auto_map").get("AutoTokenizer").toString());
        assertEquals(List.of("BolmoTokenizer", "<bos>", "<bos>", "<pad>"), List.of(t.get("tokenizer_class").getAsString(),
                t.get("bos_token").getAsString(), t.get("eos_token").getAsString(), t.get("pad_token").getAsString()));
        assertEquals("<pad>", t.getAsJsonObject("added_tokens_decoder").getAsJsonObject("0").get("content").getAsString());
        assertEquals(OLMO2_TEMPLATE, t.get("chat_template").getAsString(), "the teacher's chat template");
        assertEquals(JsonParser.parseString("{\"bos_token_id\": 1, \"eos_token_id\": 1, \"pad_token_id\": 0}"),
                json(bolmo.resolve("generation_config.json")));

        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertArrayEquals(Files.readAllBytes(base.resolve(f)), Files.readAllBytes(bolmo.resolve("teacher").resolve(f)), f);
        }
        assertArrayEquals(Files.readAllBytes(base.resolve("tokenizer.json")), Files.readAllBytes(bolmo.resolve("tokenizer.json")),
                "the vocabulary stays where bolmo4j always read it");
        assertEquals(List.of(), BolmoConfig.unknownKeys(c), "bolmo4j reads back every key it writes");
    }

    @Test
    void anOlmo3GlobalModelPointsAtBolmo7bsCode() {
        BolmoConfig seven = BolmoConfig.fromTeacher(OlmoConfig.of("olmo3", 4224, 32, 64, 4, 4, 4, 256), subwordVocab);
        JsonObject c = TransformersFiles.config(seven.toJson(), seven, TeacherTokenizer.ofJson("{}"));
        assertEquals("allenai/Bolmo-7B--modeling_bolmo.BolmoForCausalLM", c.getAsJsonObject("auto_map").get("AutoModelForCausalLM").getAsString());
    }

    /** The released-meaning files of a folder (configs as JSON, the teacher folder byte for byte). */
    static Map<String, Object> releaseFiles(Path dir) throws IOException {
        JsonObject c = json(dir.resolve("config.json"));
        return Map.of("auto_map", c.get("auto_map"), "tokenizer_config", c.get("tokenizer_config"),
                "tokenizer_config.json", json(dir.resolve("tokenizer_config.json")),
                "generation_config.json", json(dir.resolve("generation_config.json")),
                "teacher", Arrays.asList(Files.readString(dir.resolve("teacher/tokenizer_config.json")),
                        Files.readString(dir.resolve("teacher/generation_config.json")), Files.readString(dir.resolve("teacher/tokenizer.json"))));
    }

    @Test
    void theFilesSurviveLoadAndSave() throws IOException {
        Path again = root.resolve("bolmo-again");
        Path tokFile = SubwordTokenizerFile.find(bolmo, null);
        try (LoadedBolmo lb = LoadedBolmo.load(bolmo)) {
            ChatTemplate t = lb.chatTemplate().orElseThrow();
            assertEquals("<|endoftext|><|system|>\nBe brief.\n<|user|>\nName a whale.\n<|assistant|>\n", t.render(CHAT, true),
                    "rendered with the teacher's BOS, not the byte tokenizer's <bos>");
            BolmoCheckpoint.save(lb.model(), again, false, TeacherTokenizer.ofBolmo(bolmo, tokFile));
        }
        assertEquals(releaseFiles(bolmo), releaseFiles(again));
    }

    @Test
    void aMergedBolmoTakesTheInstructModelsTemplateAndStopIds() throws IOException {
        Path merged = root.resolve("merged");
        // the files are the point here: this "instruct" model is another random one, far from the base
        TaskVectorMerge.merge(bolmo, instruct, base, merged, TaskVectorMerge.Options.defaults().with("maxTaskVector", Double.MAX_VALUE));
        assertEquals(CHATML_TEMPLATE, json(merged.resolve("tokenizer_config.json")).get("chat_template").getAsString());
        assertEquals(Files.readString(instruct.resolve("generation_config.json")), Files.readString(merged.resolve("teacher/generation_config.json")),
                "the instruct model's stop ids");
        assertEquals(Files.readString(instruct.resolve("tokenizer_config.json")), Files.readString(merged.resolve("teacher/tokenizer_config.json")));
        assertArrayEquals(Files.readAllBytes(base.resolve("tokenizer.json")), Files.readAllBytes(merged.resolve("teacher/tokenizer.json")),
                "the vocabulary the suffix embeddings were built on stays");
        assertEquals(json(bolmo.resolve("config.json")).get("auto_map"), json(merged.resolve("config.json")).get("auto_map"));
        try (LoadedBolmo lb = LoadedBolmo.load(merged)) {
            assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nName a whale.<|im_end|>\n<|im_start|>assistant\n",
                    lb.chatTemplate().orElseThrow().render(CHAT, true));
        }
        Path mergedAgain = root.resolve("merged-again");
        try (LoadedBolmo lb = LoadedBolmo.load(merged)) {
            BolmoCheckpoint.save(lb.model(), mergedAgain, false, TeacherTokenizer.ofBolmo(merged, SubwordTokenizerFile.find(merged, null)));
        }
        assertEquals(releaseFiles(merged), releaseFiles(mergedAgain), "the instruct chat survives load and save");
    }

    @Test
    void transformersResolvesTheAutoMapAndLoadsTheGenerationConfigAndTokenizer() throws IOException, URISyntaxException {
        Python311.assume("transformers", "torch", "huggingface_hub");
        Path code = Path.of(TransformersFilesTest.class.getResource("remote-code/configuration_bolmo.py").toURI()).getParent();
        try (LoopbackHub hub = LoopbackHub.start()) {
            hub.repo("allenai/Bolmo-1B").folder(code);
            hub.repo("acme/teacher").folder(base);
            String text = "The whale, the sea!";
            int[] ids = BpeTokenizer.load(base.resolve("tokenizer.json")).encodeIds(text);
            JsonArray messages = new JsonArray();
            for (Message m : CHAT) {
                JsonObject o = new JsonObject();
                o.addProperty("role", m.role());
                o.addProperty("content", m.content());
                messages.add(o);
            }
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HOME", root.resolve("py-home").toString(),
                    "HF_HUB_OFFLINE", "0", "TRANSFORMERS_OFFLINE", "0", "HF_TOKEN", "");
            JsonObject all = JsonParser.parseString(Python311.run(env, "src/test/python/transformers_reference.py", "bolmo",
                    messages.toString(), text, bolmo.toString(), hubBolmo.toString()).ok()).getAsJsonObject();
            for (Path dir : List.of(bolmo, hubBolmo)) {
                JsonObject py = all.getAsJsonObject(dir.toString());
                assertEquals("BolmoConfig", py.get("config_class").getAsString());
                assertTrue(py.get("config_module").getAsString().contains("Bolmo"), "remote code from allenai/Bolmo-1B: " + py);
                assertEquals(JsonParser.parseString("{\"AutoConfig\": \"BolmoConfig\", \"AutoModel\": \"BolmoModel\", \"AutoModelForCausalLM\":"
                        + " \"BolmoForCausalLM\", \"AutoTokenizer\": \"BolmoTokenizer\"}"), py.get("classes"));
                assertEquals(JsonParser.parseString("{\"eos_token_id\": 1, \"pad_token_id\": 0, \"bos_token_id\": 1}"), py.get("generation"));
                assertEquals(dir.equals(bolmo) ? "teacher" : "acme/teacher", py.get("original_identifier").getAsString());
                assertEquals("<|endoftext|>", py.get("teacher_eos").getAsString());
                assertEquals(subwordVocab, py.get("teacher_vocab").getAsInt());
                assertEquals(Arrays.toString(ids), toList(py.getAsJsonArray("encoded")), "transformers' teacher tokenizer = bolmo4j's");
                try (LoadedBolmo lb = LoadedBolmo.load(dir)) {
                    assertEquals(lb.chatTemplate().orElseThrow().render(CHAT, true), py.get("rendered").getAsString(),
                            "the chat template renders the same in transformers and bolmo4j");
                }
            }
        }
    }

    static String toList(JsonArray a) {
        StringBuilder b = new StringBuilder("[");
        for (JsonElement e : a) {
            b.append(b.length() > 1 ? ", " : "").append(e.getAsInt());
        }
        return b.append(']').toString();
    }
}
