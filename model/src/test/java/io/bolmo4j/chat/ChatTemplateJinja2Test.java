package io.bolmo4j.chat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Chat templates rendered by bolmo4j (Jinjava) and by Python jinja2 as Hugging Face sets it up must be byte-identical:
 * the three template families (ChatML as in Olmo 3 Instruct, Tulu as in OLMo 2 Instruct, Llama 3), written for these
 * tests from their public descriptions, over conversations with and without a system turn, multi-turn history, and
 * add_generation_prompt on and off; plus a template of the Jinja features HF templates lean on and one of the jinja2
 * syntax Jinjava needs rewritten (stepped slices, keyword arguments whose values are expressions).
 */
class ChatTemplateJinja2Test {
    private static final String BOS = "<|endoftext|>", EOS = "<|endoftext|>", LLAMA_BOS = "<|begin_of_text|>";

    @BeforeAll
    static void jinja2() {
        assumeTrue(Jinja2Oracle.available(), "skipped: " + Jinja2Oracle.PYTHON + " has no jinja2 (apt-get install python3-jinja2)");
    }

    static String resource(String name) {
        try (InputStream in = ChatTemplateJinja2Test.class.getResourceAsStream("/chat/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> msg(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** Conversations: one turn, a system turn, multi-turn history, awkward whitespace and non-ASCII text. */
    static List<List<Map<String, Object>>> conversations() {
        Map<String, Object> withCalls = msg("assistant", "Let me look that up.");
        withCalls.put("tool_calls", List.of(Map.of("name", "search", "arguments", Map.of("query", "caf\u00e9 \"best\"\n", "limit", 3))));
        return List.of(
                List.of(msg("user", "Hello, who are you?")),
                List.of(msg("system", "You are terse."), msg("user", "Hi! What is 2+2?")),
                List.of(msg("system", "  Answer in French.\n"), msg("user", "Name a cat, please?"), msg("assistant", " Minou \n"),
                        msg("user", "And a dog?")),
                List.of(msg("user", "\u00a0 spaced\tout \u3000"), msg("assistant", "ok\r\n"), msg("user", "emoji \ud83d\udc4b\ud83c\udffd, \u4f60\u597d"),
                        msg("assistant", "\u00e9t\u00e9, done")),
                List.of(msg("user", "Call the tool"), withCalls, msg("tool", "{\"result\": 1}"), msg("user", "thanks")));
    }

    @Test
    void theThreeFamiliesAndTheFeatureTemplateRenderAsJinja2Does() throws Exception {
        List<Jinja2Oracle.Case> cases = new ArrayList<>();
        for (String t : List.of("chatml.jinja", "tulu.jinja", "llama3.jinja", "features.jinja", "python-syntax.jinja", "whitespace.jinja")) {
            String bos = t.startsWith("llama") ? LLAMA_BOS : BOS;
            for (List<Map<String, Object>> c : conversations()) {
                for (boolean gen : new boolean[] {true, false}) {
                    cases.add(new Jinja2Oracle.Case(resource(t), c, gen, bos, EOS));
                }
            }
        }
        List<Jinja2Oracle.Result> expected = Jinja2Oracle.render(cases);
        int rendered = 0, raised = 0;
        for (int i = 0; i < cases.size(); i++) {
            Jinja2Oracle.Case c = cases.get(i);
            ChatTemplate t = ChatTemplate.of(c.template(), "case " + i, c.bos(), c.eos());
            Jinja2Oracle.Result want = expected.get(i);
            if (want.error() != null) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.renderDicts(c.messages(), c.addGenerationPrompt()),
                        "jinja2 raised " + want.error() + " on case " + i);
                assertTrue(e.getMessage().startsWith("case " + i + ": "), e.getMessage());
                raised++;
            } else {
                String got = t.renderDicts(c.messages(), c.addGenerationPrompt());
                assertEquals(want.text(), got, "case " + i);
                assertArrayEquals(want.text().getBytes(StandardCharsets.UTF_8), got.getBytes(StandardCharsets.UTF_8), "case " + i);
                rendered++;
            }
        }
        assertTrue(rendered >= 40 && raised >= 2, rendered + " rendered, " + raised + " raised");
    }

    private static Map<String, Object> msg(String role, String content, String key, Object value) {
        Map<String, Object> m = msg(role, content);
        m.put(key, value);
        return m;
    }

    /**
     * Conversations of today's chat models: multi-turn with and without a system prompt, reasoning (a
     * {@code reasoning_content} field, and {@code <think>} blocks inside the content, before and after the last user
     * turn), and tool calls (arguments as a dict and as a string, several tool results in a row).
     */
    static List<List<Map<String, Object>>> modernConversations() {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("city", "Z\u00fcrich");
        arguments.put("unit", "celsius");
        Map<String, Object> call = Map.of("type", "function", "function", Map.of("name", "get_weather", "arguments", arguments));
        Map<String, Object> stringCall = Map.of("name", "get_time", "arguments", "{\"tz\": \"CET\"}");
        return List.of(
                List.of(msg("system", "You are a helpful assistant."), msg("user", "What is 2+2?"), msg("assistant", "4."),
                        msg("user", "And 3+3?")),
                List.of(msg("user", "Hello!"), msg("assistant", "Hi there. How can I help?"), msg("user", "Tell me a joke.")),
                List.of(msg("system", "Think step by step."), msg("user", "Is 91 prime?"),
                        msg("assistant", "No: 91 = 7 \u00d7 13.", "reasoning_content", "\nTry small primes: 7 \u00d7 13 = 91.\n"),
                        msg("user", "And 97?"),
                        msg("assistant", "<think>\nNo divisor up to 9.\n</think>\n\nYes, 97 is prime.")),
                List.of(msg("user", "Is 91 prime?"), msg("assistant", "<think>\n7 \u00d7 13.\n</think>\n\nNo."),
                        msg("user", "Why?"), msg("assistant", "Because 7 \u00d7 13 = 91.", "reasoning_content", "\nShow the factors.\n")),
                List.of(msg("system", "You can call tools."), msg("user", "Weather in Z\u00fcrich, and the time?"),
                        msg("assistant", "", "tool_calls", List.of(call, stringCall)),
                        msg("tool", "{\"temperature\": 21}"), msg("tool", "{\"time\": \"14:05\"}"),
                        msg("assistant", "21 \u00b0C and 14:05."), msg("user", "Thanks!")));
    }

    /** A tool list as {@code apply_chat_template(tools=...)} passes it. */
    static List<Map<String, Object>> tools() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("type", "object");
        params.put("properties", Map.of("city", Map.of("type", "string", "description", "City name, e.g. Z\u00fcrich")));
        params.put("required", List.of("city"));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", "get_weather");
        f.put("description", "Current weather \"now\"");
        f.put("parameters", params);
        return List.of(Map.of("type", "function", "function", f));
    }

    static Path familyDir(String name) {
        try {
            return Path.of(ChatTemplateJinja2Test.class.getResource("/families/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The real chat templates of Qwen 3 (namespace() with keyword arguments, reasoning blocks, tool calls), Qwen 2.5,
     * Llama 3 / 3.1 and Gemma 3, as shipped in their tokenizer_config.json, render byte for byte as jinja2 renders them
     * for apply_chat_template: every conversation, with add_generation_prompt on and off, Qwen 3 also with
     * enable_thinking=False and with a tool list.
     */
    @Test
    void realTemplatesOfQwenLlamaAndGemmaRenderAsJinja2Does() throws Exception {
        Map<String, ChatTemplate> templates = new LinkedHashMap<>();
        for (String family : List.of("qwen3", "qwen2_5", "llama3")) {
            templates.put(family, ChatTemplate.find(familyDir(family)).orElseThrow());
        }
        templates.put("llama3_1", ChatTemplate.of(resource("../families/llama3_1/chat_template.jinja"), "llama3_1",
                "<|begin_of_text|>", "<|eot_id|>"));
        templates.put("gemma3", ChatTemplate.of(resource("../families/gemma3/chat_template.jinja"), "gemma3", "<bos>", "<end_of_turn>"));
        List<Map<String, Object>> variants = List.of(Map.of(), Map.of("enable_thinking", false), Map.of("enable_thinking", true),
                Map.of("tools", tools()));
        List<Jinja2Oracle.Case> cases = new ArrayList<>();
        List<ChatTemplate> used = new ArrayList<>();
        for (Map.Entry<String, ChatTemplate> t : templates.entrySet()) {
            for (List<Map<String, Object>> c : modernConversations()) {
                for (boolean gen : new boolean[] {true, false}) {
                    for (Map<String, Object> v : t.getKey().startsWith("qwen") ? variants : List.<Map<String, Object>>of(Map.of())) {
                        ChatTemplate ct = t.getValue();
                        cases.add(new Jinja2Oracle.Case(ct.source(), c, gen, ct.bosToken().orElse(null), ct.eosToken().orElse(null), v));
                        used.add(ct);
                    }
                }
            }
        }
        List<Jinja2Oracle.Result> expected = Jinja2Oracle.render(cases);
        int rendered = 0, raised = 0;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < cases.size(); i++) {
            Jinja2Oracle.Case c = cases.get(i);
            Jinja2Oracle.Result want = expected.get(i);
            ChatTemplate t = used.get(i);
            all.append(want.text());
            if (want.error() != null) {
                assertThrows(IllegalArgumentException.class, () -> t.renderDicts(c.messages(), c.addGenerationPrompt(), c.variables()),
                        t.origin() + " case " + i + ": jinja2 raised " + want.error());
                raised++;
            } else {
                String got = t.renderDicts(c.messages(), c.addGenerationPrompt(), c.variables());
                assertEquals(want.text(), got, t.origin() + " case " + i + " " + c.variables());
                rendered++;
            }
        }
        for (String part : List.of("<think>\nShow the factors.\n</think>\n\nBecause", "<think>\n\n</think>\n\n",
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Z\u00fcrich\", \"unit\": \"celsius\"}}\n</tool_call>",
                "<|im_start|>user\n<tool_response>\n{\"temperature\": 21}\n</tool_response>\n<tool_response>", "# Tools",
                "<start_of_turn>model\n", "<|start_header_id|>assistant<|end_header_id|>\n\n")) {
            assertTrue(all.indexOf(part) >= 0, "the conversations exercise " + part);
        }
        System.out.println("real templates (Qwen 3, Qwen 2.5, Llama 3, Llama 3.1, Gemma 3): " + rendered
                + " renderings byte-identical to jinja2, " + raised + " raised by both");
        assertTrue(rendered >= 100 && raised >= 1, rendered + " rendered, " + raised + " raised");
    }
}
