package io.bolmo4j.dsl;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.bolmo.LoadedBolmo;
import io.bolmo4j.bolmo.merge.TaskVectorTest;
import io.bolmo4j.chat.Message;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoConfig;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.Cl100kVocab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Through the DSL: a byteified Bolmo saves its teacher's chat template and names the teacher's tokenizer; after
 * {@code mergeTaskVector(instruct)} it chats, and saves, with the instruct model's template and stop ids.
 */
class BolmoChatFilesTest {
    static final String BASE_TEMPLATE = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}[assistant]:{% endif %}";
    static final String INSTRUCT_TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    @TempDir
    static Path dir;

    @BeforeAll
    static void teachers() throws IOException {
        Cl100kVocab vocab = Cl100kVocab.firstRanks(400);
        int eos = vocab.specialTokens().get("<|endoftext|>");
        OlmoConfig cfg = OlmoConfig.of("olmo2", 512, 32, 64, 2, 4, 4, 256).with("eos_token_id", eos);
        for (String name : new String[] {"base", "instruct"}) {
            // the instruct model is a post-training of the base, as a task-vector merge requires
            try (OlmoModel base = OlmoModel.random(cfg, 4); OlmoModel instruct = TaskVectorTest.shifted(base, 8)) {
                OlmoCheckpoint.save(name.equals("base") ? base : instruct, dir.resolve(name), false, Map.of("tokenizer.json", vocab.toJson().getBytes(StandardCharsets.UTF_8)));
            }
            JsonObject tc = new JsonObject();
            tc.addProperty("eos_token", "<|endoftext|>");
            tc.addProperty("chat_template", name.equals("base") ? BASE_TEMPLATE : INSTRUCT_TEMPLATE);
            Files.writeString(dir.resolve(name).resolve("tokenizer_config.json"), tc.toString());
        }
        Files.writeString(dir.resolve("instruct/generation_config.json"), "{\"eos_token_id\": [" + eos + ", 7]}");
    }

    static final String CHATML_HI = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";

    /** How the Bolmo's chat template renders one user message. */
    static String rendered(Bolmo b) {
        return ((LoadedBolmo) b.scoring()).chatTemplate().orElseThrow().render(List.of(Message.user("Hi")), true);
    }

    static String savedTemplate(Path bolmo) throws IOException {
        return JsonParser.parseString(Files.readString(bolmo.resolve("tokenizer_config.json"))).getAsJsonObject()
                .get("chat_template").getAsString();
    }

    @Test
    void saveKeepsTheTeachersTemplateAndAMergeTakesTheInstructOnes() throws IOException {
        try (Olmo base = Olmo.load(dir.resolve("base")); Olmo instruct = Olmo.load(dir.resolve("instruct"));
             Bolmo bolmo = Bolmo.byteify(base)) {
            bolmo.save(dir.resolve("byteified"));
            assertEquals(BASE_TEMPLATE, savedTemplate(dir.resolve("byteified")));
            assertEquals("teacher", JsonParser.parseString(Files.readString(dir.resolve("byteified/config.json"))).getAsJsonObject()
                    .getAsJsonObject("tokenizer_config").get("original_identifier").getAsString());
            try (Bolmo loaded = Bolmo.load(dir.resolve("byteified"))) {
                assertEquals("[user] Hi\n[assistant]:", rendered(loaded));
            }

            bolmo.mergeTaskVector(instruct);
            assertEquals(CHATML_HI, rendered(bolmo), "it chats as the instruct model");
            bolmo.save(dir.resolve("merged"));
            assertEquals(INSTRUCT_TEMPLATE, savedTemplate(dir.resolve("merged")));
            assertEquals(Files.readString(dir.resolve("instruct/generation_config.json")),
                    Files.readString(dir.resolve("merged/teacher/generation_config.json")), "the instruct model's stop ids");
            try (Bolmo loaded = Bolmo.load(dir.resolve("merged"))) {
                assertEquals(CHATML_HI, rendered(loaded));
            }
        }
    }
}
