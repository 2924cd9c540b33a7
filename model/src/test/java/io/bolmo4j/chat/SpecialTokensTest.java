package io.bolmo4j.chat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.tokenizer.BpeTokenizer;
import io.bolmo4j.tokenizer.DocumentTokens;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BOS and stop ids from config.json, generation_config.json, tokenizer_config.json and the chat template, on the
 * tiny tokenizer with ChatML's tokens added as specials (ids 4098, 4099) as Olmo 3 Instruct's tokenizer has them.
 */
class SpecialTokensTest {
    static final int EOT = 4096, PAD = 4097, IM_START = 4098, IM_END = 4099;
    static BpeTokenizer tok;

    @TempDir
    Path dir;

    @BeforeAll
    static void tokenizer() throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(BuiltinModels.path(BuiltinModels.TINY).resolve("tokenizer.json")))
                .getAsJsonObject();
        JsonArray added = json.getAsJsonArray("added_tokens");
        for (String[] t : new String[][] {{"<|im_start|>", "4098"}, {"<|im_end|>", "4099"}}) {
            JsonObject a = added.get(0).getAsJsonObject().deepCopy();
            a.addProperty("content", t[0]);
            a.addProperty("id", Integer.parseInt(t[1]));
            added.add(a);
        }
        tok = BpeTokenizer.fromJson(json.toString());
    }

    private void write(String file, String json) throws IOException {
        Files.writeString(dir.resolve(file), json);
    }

    private SpecialTokens read(ChatTemplate template) {
        return SpecialTokens.read(dir, tok, template);
    }

    @Test
    void eosAsIntOrListAndGenerationConfigListAllStop() throws IOException {
        write("config.json", "{\"eos_token_id\": " + EOT + ", \"pad_token_id\": " + PAD + "}");
        SpecialTokens olmo2 = read(null);
        assertEquals(EOT, olmo2.bos(), "OLMo 2: a single EOS is also the BOS");
        assertEquals(List.of(EOT), olmo2.stops());
        assertEquals(new DocumentTokens(OptionalInt.of(EOT), OptionalInt.of(EOT), OptionalInt.of(PAD)), olmo2.document());
        write("config.json", "{\"eos_token_id\": [" + IM_END + ", " + EOT + "]}");
        SpecialTokens listed = read(null);
        assertEquals(List.of(IM_END, EOT), listed.stops());
        assertEquals(EOT, listed.bos(), "a list of EOS ids never becomes the BOS: <|endoftext|> instead");
        write("config.json", "{\"eos_token_id\": " + EOT + "}");
        write(SpecialTokens.GENERATION_CONFIG, "{\"eos_token_id\": [" + IM_END + ", " + EOT + "], \"bos_token_id\": " + IM_START + "}");
        SpecialTokens gen = read(null);
        assertEquals(List.of(EOT, IM_END), gen.stops());
        assertEquals(IM_START, gen.bos(), "generation_config.json's bos_token_id");
        assertTrue(Arrays.equals(new int[] {EOT, IM_END}, gen.stopIds()));
    }

    @Test
    void bosFromConfigThenTokenizerConfigAndTheTemplateEndOfTurnStops() throws IOException {
        write("config.json", "{\"eos_token_id\": [" + IM_END + "], \"bos_token_id\": " + PAD + "}");
        assertEquals(PAD, read(null).bos());
        write("config.json", "{\"eos_token_id\": [" + IM_END + "], \"bos_token_id\": null}");
        write(ChatTemplate.TOKENIZER_CONFIG, "{\"bos_token\": \"<|im_start|>\", \"eos_token\": \"<|endoftext|>\"}");
        SpecialTokens declared = read(null);
        assertEquals(IM_START, declared.bos());
        assertEquals(List.of(IM_END, EOT), declared.stops());
        assertEquals(OptionalInt.of(EOT), declared.document().endOfText(), "<|im_end|> ends turns, <|endoftext|> documents");
        write("config.json", "{}");
        ChatTemplate chatml = ChatTemplate.of(ChatTemplateJinja2Test.resource("chatml.jinja"), "chatml", null, "<|endoftext|>");
        assertEquals(List.of(EOT, IM_END), read(chatml).stops(), "ChatML's <|im_end|> ends a turn");
    }

    @Test
    void malformedIdsAndUnknownTokensNameTheFileAndKey() throws IOException {
        write("config.json", "{\"eos_token_id\": \"</s>\"}");
        String m = assertThrows(IllegalArgumentException.class, () -> read(null)).getMessage();
        assertTrue(m.contains("config.json: eos_token_id must be a token id or a list of them"), m);
        write("config.json", "{}");
        write(ChatTemplate.TOKENIZER_CONFIG, "{\"bos_token\": \"<s>\"}");
        m = assertThrows(IllegalArgumentException.class, () -> read(null)).getMessage();
        assertTrue(m.contains("tokenizer_config.json bos_token: '<s>' is not in the vocabulary"), m);
    }
}
