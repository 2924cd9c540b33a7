package io.bolmo4j.chat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a model's template is found, its end-of-turn tokens, and one-line errors for bad templates. */
class ChatTemplateTest {
    @TempDir
    Path dir;

    private static final List<Message> HELLO = List.of(Message.user("Hello"));

    private void tokenizerConfig(JsonObject config) throws IOException {
        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), config.toString());
    }

    private static JsonObject named(String name, String template) {
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("template", template);
        return o;
    }

    @Test
    void aModelWithoutTemplateHasNone() throws IOException {
        assertTrue(ChatTemplate.find(dir).isEmpty());
        tokenizerConfig(new JsonObject());
        assertTrue(ChatTemplate.find(dir).isEmpty());
        assertTrue(ChatTemplate.find(BuiltinModels.path(BuiltinModels.TINY_INSTRUCT)).isEmpty(), "tiny-olmo-instruct keeps its fixed format");
    }

    @Test
    void templateAsStringWithTokensAsStringsOrAddedTokenObjects() throws IOException {
        JsonObject c = new JsonObject();
        c.addProperty("chat_template", "{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}{{ eos_token }}");
        c.addProperty("bos_token", "<s>");
        JsonObject eos = new JsonObject();
        eos.addProperty("__type", "AddedToken");
        eos.addProperty("content", "</s>");
        c.add("eos_token", eos);
        tokenizerConfig(c);
        ChatTemplate t = ChatTemplate.find(dir).orElseThrow();
        assertEquals("<s>[Hello]</s>", t.render(HELLO, true));
        assertEquals("</s>", t.eosToken().orElseThrow());
    }

    @Test
    void namedTemplatesPickDefaultAndTheJinjaFileWins() throws IOException {
        JsonObject c = new JsonObject();
        JsonArray list = new JsonArray();
        list.add(named("tool_use", "tools"));
        list.add(named("default", "default:{{ messages[0].content }}"));
        c.add("chat_template", list);
        tokenizerConfig(c);
        assertEquals("default:Hello", ChatTemplate.find(dir).orElseThrow().render(HELLO, false));
        Files.writeString(dir.resolve(ChatTemplate.JINJA_FILE), "file:{{ messages[0].content }}\n");
        assertEquals("file:Hello", ChatTemplate.find(dir).orElseThrow().render(HELLO, false));
    }

    @Test
    void badTemplatesFailInOneLineNamingTheFile() throws IOException {
        JsonObject c = new JsonObject();
        JsonArray list = new JsonArray();
        list.add(named("tool_use", "tools"));
        c.add("chat_template", list);
        tokenizerConfig(c);
        IllegalArgumentException noDefault = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.find(dir));
        assertTrue(noDefault.getMessage().contains("no template named 'default'") && noDefault.getMessage().contains(ChatTemplate.TOKENIZER_CONFIG),
                noDefault.getMessage());

        Files.writeString(dir.resolve(ChatTemplate.TOKENIZER_CONFIG), "{\"chat_template\": ");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChatTemplate.find(dir)).getMessage().contains("not valid JSON"));
        Files.delete(dir.resolve(ChatTemplate.TOKENIZER_CONFIG));

        Path jinja = dir.resolve(ChatTemplate.JINJA_FILE);
        Files.writeString(jinja, "{% if messages[0].role != 'system' %}{{ raise_exception('a system message is required') }}{% endif %}");
        ChatTemplate raising = ChatTemplate.find(dir).orElseThrow();
        IllegalArgumentException raised = assertThrows(IllegalArgumentException.class, () -> raising.render(HELLO, true));
        assertEquals(jinja + ": the template raised an exception: a system message is required", raised.getMessage());

        for (String broken : List.of("{% for m in messages %}{{ m.content }}", "{{ messages[0].content + }}", "{% endif %}")) {
            Files.writeString(jinja, broken);
            ChatTemplate t = ChatTemplate.find(dir).orElseThrow();
            String m = assertThrows(IllegalArgumentException.class, () -> t.render(HELLO, true)).getMessage();
            assertTrue(m.startsWith(jinja + ": template error at line 1: ") && !m.contains("\n"), m);
        }
    }

    @Test
    void endOfTurnTokensAreTheSpecialTokensThatCloseAnAnswer() {
        Set<String> specials = Set.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|begin_of_text|>");
        ChatTemplate chatml = ChatTemplate.of(ChatTemplateJinja2Test.resource("chatml.jinja"), "chatml", null, "<|endoftext|>");
        assertEquals(List.of("<|im_end|>", "<|endoftext|>"), chatml.endOfTurnTokens(specials));
        ChatTemplate tulu = ChatTemplate.of(ChatTemplateJinja2Test.resource("tulu.jinja"), "tulu", "<|endoftext|>", "<|endoftext|>");
        assertEquals(List.of("<|endoftext|>"), tulu.endOfTurnTokens(specials));
        ChatTemplate llama = ChatTemplate.of(ChatTemplateJinja2Test.resource("llama3.jinja"), "llama", "<|begin_of_text|>", "<|endoftext|>");
        assertEquals(List.of("<|eot_id|>"), llama.endOfTurnTokens(specials));
        ChatTemplate plain = ChatTemplate.of("{% for m in messages %}{{ m.content }}\n{% endfor %}", "plain", null, null);
        assertTrue(plain.endOfTurnTokens(specials).isEmpty());
        BpeTokenizer tiny = BpeTokenizer.load(BuiltinModels.path(BuiltinModels.TINY).resolve("tokenizer.json"));
        assertFalse(tiny.specialTokens().containsKey("<|im_end|>"));
        assertEquals(List.of("<|endoftext|>"), chatml.endOfTurnTokens(tiny.specialTokens().keySet()));
    }
}
