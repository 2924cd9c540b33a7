package io.bolmo4j.chat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 * add_generation_prompt on and off; plus a template of the Jinja features HF templates lean on.
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
        for (String t : List.of("chatml.jinja", "tulu.jinja", "llama3.jinja", "features.jinja")) {
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
        assertTrue(rendered >= 30 && raised >= 2, rendered + " rendered, " + raised + " raised");
    }
}
