package io.bolmo4j.cli;

import com.google.gson.JsonObject;
import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.chat.Message;
import io.bolmo4j.dsl.Olmo;
import io.bolmo4j.generate.SamplingOptions;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.olmo.OlmoCheckpoint;
import io.bolmo4j.olmo.OlmoGenerator;
import io.bolmo4j.olmo.OlmoModel;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.train.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bolmo4j chat} and {@code olmo.chat} on a copy of tiny-olmo given a Tulu-style template written here. */
class ChatCommandTest {
    static final String TEMPLATE = "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>\n{% endif %}";
    static final String SYSTEM = "Answer with one word.", QUESTION = "Which word comes last?\nriver\nstone\ncloud";

    @TempDir
    static Path root;
    static Path model;

    @BeforeAll
    static void tinyOlmoWithTemplate() throws IOException {
        model = root.resolve("tiny-olmo-chat");
        Files.createDirectories(model);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(BuiltinModels.path(BuiltinModels.TINY).resolve(f), model.resolve(f));
        }
        JsonObject tc = new JsonObject();
        tc.addProperty("chat_template", TEMPLATE);
        tc.addProperty("bos_token", BpeTokenizer.END_OF_TEXT);
        tc.addProperty("eos_token", BpeTokenizer.END_OF_TEXT);
        Files.writeString(model.resolve(ChatTemplate.TOKENIZER_CONFIG), tc.toString());
    }

    /** The answer computed the long way: template text, special-token ids (its BOS included), greedy to the EOS. */
    private static String expected(int maxNew) {
        BpeTokenizer tok = BpeTokenizer.load(model.resolve("tokenizer.json"));
        String prompt = ChatTemplate.of(TEMPLATE, "test", BpeTokenizer.END_OF_TEXT, BpeTokenizer.END_OF_TEXT)
                .render(List.of(Message.system(SYSTEM), Message.user(QUESTION)), true);
        int[] ids = tok.encodeIds(prompt, true);
        assertEquals(tok.eosId(), ids[0], "the template writes the BOS");
        try (OlmoModel m = OlmoCheckpoint.load(model)) {
            int[] out = new OlmoGenerator(m).usableVocabulary(tok.vocabSize()).generate(ids, SamplingOptions.greedy(maxNew), tok.eosId());
            return tok.decode(out);
        }
    }

    @Test
    void oneAnswerWithMessageMatchesTheTemplatedGreedyContinuation() {
        String[] r = CliTest.run("chat", model.toString(), "--system", SYSTEM, "--message", QUESTION, "--max-new", "12");
        assertEquals("0", r[0], r[2]);
        String want = expected(12);
        assertTrue(!want.isEmpty(), "the model answers something");
        assertEquals(want + System.lineSeparator(), r[1]);
        try (Olmo olmo = Olmo.load(model)) {
            assertEquals(want, olmo.chat(c -> c.system(SYSTEM).user(QUESTION).maxNew(12)));
        }
    }

    @Test
    void aTemplateThatRaisesOrAModelWithoutOneFailsInOneLine() throws IOException {
        Path bad = root.resolve("raising");
        Files.createDirectories(bad);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(model.resolve(f), bad.resolve(f));
        }
        Files.writeString(bad.resolve(ChatTemplate.JINJA_FILE), "{{ raise_exception('only user turns, please') }}\n");
        String[] r = CliTest.run("chat", bad.toString(), "--message", "hi");
        assertEquals("1", r[0]);
        assertEquals("bolmo4j chat: " + bad.resolve(ChatTemplate.JINJA_FILE) + ": the template raised an exception: only user turns, please",
                r[2].strip());

        r = CliTest.run("chat", BuiltinModels.TINY, "--message", "hi");
        assertEquals("1", r[0]);
        assertTrue(r[2].strip().startsWith("bolmo4j chat: this model has no chat template") && r[2].strip().lines().count() == 1, r[2]);
    }

    @Test
    void generateAndChatOfferTheSamplingSettingsWithTheSameDefaults() {
        String generate = CliTest.run("generate", "--help")[1], chat = CliTest.run("chat", "--help")[1];
        for (Settings.Entry e : Settings.of(SamplingOptions.defaults())) {
            String help = optionHelp(generate, e.option());
            assertEquals(help, optionHelp(chat, e.option()), e.option());
            assertTrue(help.endsWith("(default " + e.value() + ")"), help);
        }
    }

    /** The help of {@code option} in a command's {@code --help}, white space folded. */
    private static String optionHelp(String usage, String option) {
        StringBuilder help = new StringBuilder();
        boolean in = false;
        for (String line : usage.lines().toList()) {
            if (line.matches(" {2,6}-.*")) { // an option's first line; its help continues further indented
                in = line.strip().startsWith(option + "=");
            }
            if (in) {
                help.append(' ').append(line.strip());
            }
        }
        assertTrue(help.length() > 0, option + " not in:\n" + usage);
        return help.toString().strip().replaceAll("\\s+", " ");
    }
}
