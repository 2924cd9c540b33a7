package io.bolmo4j.bolmo.checkpoint;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.BolmoConfig;
import io.bolmo4j.bolmo.BolmoModel;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.Message;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.io.AtomicFiles;
import io.bolmo4j.io.CheckpointException;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A directory shaped like allenai/Bolmo-1B as downloaded (config.json with the released keys, weights, no
 * tokenizer.json; tiny random weights) finds its subword vocabulary, allenai/dolma2-tokenizer (here the tiny teacher's
 * tokenizer.json standing in for it), in a Hugging Face cache laid out as huggingface_hub writes it, and fails with
 * a message saying what to download and where when there is none.
 */
class SubwordTokenizerFileTest {
    static final String REPO = "allenai/dolma2-tokenizer", REVISION = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    static Path root;
    static Path bolmo, tokenizerJson;

    @BeforeAll
    static void bolmoWithoutTokenizer() throws IOException {
        tokenizerJson = BuiltinModels.path(BuiltinModels.TINY).resolve("tokenizer.json");
        BpeTokenizer tok = BpeTokenizer.load(tokenizerJson);
        bolmo = root.resolve("Bolmo-1B");
        BolmoConfig cfg = BolmoConfig.fromTeacher(OlmoConfig.of("olmo2", 4224, 32, 64, 2, 4, 4, 256), tok.vocabSize())
                .with("num_local_heads", 4).with("local_intermediate_size", 48).with("num_local_decoder_layers", 2);
        try (BolmoModel m = BolmoModel.random(cfg, 5)) {
            BolmoCheckpoint.save(m, bolmo, false, Files.readString(tokenizerJson));
        }
        Files.delete(bolmo.resolve("tokenizer.json"));
        Files.delete(bolmo.resolve(ChatTemplate.TOKENIZER_CONFIG));
        AtomicFiles.deleteTree(bolmo.resolve(SubwordTokenizerFile.TEACHER_FOLDER)); // released Bolmos ship no teacher files
        JsonObject c = JsonParser.parseString(Files.readString(bolmo.resolve("config.json"))).getAsJsonObject();
        c.add("auto_map", JsonParser.parseString("{\"AutoConfig\": \"configuration_bolmo.BolmoConfig\","
                + " \"AutoModelForCausalLM\": \"modeling_bolmo.BolmoForCausalLM\"}"));
        c.addProperty("dtype", "bfloat16");
        c.addProperty("transformers_version", "4.57.1");
        c.addProperty("max_position_embeddings", -1);
        c.getAsJsonObject("tokenizer_config").addProperty("original_identifier", REPO);
        Files.writeString(bolmo.resolve("config.json"), c.toString());
    }

    /** A hub cache holding {@link #REPO} at {@link #REVISION}, with a ChatML template beside its tokenizer.json. */
    static Path hubWithDolma2(Path hub) throws IOException {
        Path repo = hub.resolve("models--allenai--dolma2-tokenizer");
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(REVISION));
        Files.copy(tokenizerJson, snapshot.resolve("tokenizer.json"));
        JsonObject tc = new JsonObject();
        tc.addProperty("chat_template", "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}");
        tc.addProperty("eos_token", "<|endoftext|>");
        Files.writeString(snapshot.resolve(ChatTemplate.TOKENIZER_CONFIG), tc.toString());
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve("main"), REVISION + "\n");
        return snapshot.resolve("tokenizer.json");
    }

    @Test
    void releasedConfigKeysAreAllReadOrIgnoredAndOthersReported() throws IOException {
        JsonObject c = JsonParser.parseString(Files.readString(bolmo.resolve("config.json"))).getAsJsonObject();
        assertEquals(List.of(), BolmoConfig.unknownKeys(c));
        c.addProperty("boundary_predictor_temperature", 0.5);
        assertEquals(List.of("boundary_predictor_temperature"), BolmoConfig.unknownKeys(c));
        c.addProperty("boundary_threshold", "topk:3");
        String m = assertThrows(IllegalArgumentException.class, () -> BolmoConfig.fromJson(c, "config.json")).getMessage();
        assertTrue(m.contains("boundary_threshold 'topk:3' is not supported"), m);
    }

    @Test
    void theHubCacheIsFoundThroughHfHubCacheOrHfHome() throws IOException {
        Path cached = hubWithDolma2(root.resolve("home").resolve("hub"));
        assertEquals(cached, SubwordTokenizerFile.find(bolmo, null, Map.of("HF_HUB_CACHE", root.resolve("home/hub").toString())));
        assertEquals(cached, SubwordTokenizerFile.find(bolmo, null, Map.of("HF_HOME", root.resolve("home").toString())));
        assertEquals(cached, SubwordTokenizerFile.find(bolmo, null, Map.of("HF_HUB_CACHE", root.resolve("home/hub").toString(),
                "HF_HOME", root.resolve("elsewhere").toString())), "HF_HUB_CACHE wins over HF_HOME");
        assertEquals(tokenizerJson, SubwordTokenizerFile.find(bolmo, tokenizerJson, Map.of()), "an explicit file before the cache");

        // the found vocabulary loads the model, and the chat template beside it is the teacher's
        try (LoadedBolmo lb = new LoadedBolmo(BolmoCheckpoint.load(bolmo), BpeTokenizer.load(cached), LoadedBolmo.chatTemplate(bolmo, cached),
                TeacherTokenizer.ofBolmo(bolmo, cached))) {
            ChatTemplate t = lb.chatTemplate().orElseThrow();
            List<Message> hi = List.of(Message.user("Hi"));
            assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", t.render(hi, true));
            SamplingOptions greedy = SamplingOptions.greedy(12);
            String answer = lb.chat(hi, greedy, s -> { });
            assertEquals(lb.generateRendered(t.render(hi, true), greedy, s -> { }), answer);
            assertTrue(!answer.isEmpty() && !answer.contains("<|im_end|>"), answer);
        }
    }

    @Test
    void withoutTheCacheTheErrorSaysWhatToDownloadAndWhere() throws IOException {
        Path empty = Files.createDirectories(root.resolve("empty-hub"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> SubwordTokenizerFile.find(bolmo, null, Map.of("HF_HUB_CACHE", empty.toString())));
        assertTrue(e.getMessage().contains(REPO + " is not in the Hugging Face cache " + empty)
                && e.getMessage().contains("huggingface-cli download " + REPO + " tokenizer.json")
                && e.getMessage().contains(bolmo.resolve("tokenizer.json").toString()), e.getMessage());

        Path stale = root.resolve("stale-hub");
        hubWithDolma2(stale);
        Files.writeString(stale.resolve("models--allenai--dolma2-tokenizer/refs/main"), "feedface");
        assertThrows(CheckpointException.class, () -> SubwordTokenizerFile.find(bolmo, null, Map.of("HF_HUB_CACHE", stale.toString())),
                "refs/main names a revision the cache does not hold");
        assertThrows(CheckpointException.class, () -> SubwordTokenizerFile.find(bolmo, root.resolve("missing.json"), Map.of()));
    }
}
