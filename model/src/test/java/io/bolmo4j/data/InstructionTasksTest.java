package io.bolmo4j.data;

import io.bolmo4j.chat.ChatTemplate;
import io.bolmo4j.olmo.BuiltinModels;
import io.bolmo4j.tokenizer.BpeTokenizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstructionTasksTest {
    private static final InstructionTasks TASKS = new InstructionTasks(
            List.of("apple", "pear", "fig", "plum", "kiwi", "lime"), List.of("river", "stone", "cloud", "field", "grass"));

    /** A model that answers from a lookup of the gold answers, optionally wrong on one task. */
    private static ScoringModel lookup(List<InstructionTasks.Example> examples, InstructionTasks.Task wrongOn) {
        return new ScoringModel() {
            @Override
            public String generate(String prompt, int maxNewBytes) {
                for (InstructionTasks.Example e : examples) {
                    if (e.prompt().equals(prompt)) {
                        return e.task() == wrongOn ? "nope\n" : e.answer() + "\nmore text";
                    }
                }
                throw new AssertionError("unknown prompt " + prompt);
            }

            @Override
            public ContinuationScore score(String context, String continuation) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void exactMatchCountsAnswersUpToTheFirstNewline() {
        List<InstructionTasks.Example> held = TASKS.heldOut(5, 1);
        assertEquals(5 * InstructionTasks.Task.values().length, held.size());
        assertEquals(1.0, InstructionTasks.exactMatch(lookup(held, null)::generate, held).overall());
        InstructionTasks.Accuracy a = InstructionTasks.exactMatch(lookup(held, InstructionTasks.Task.LAST)::generate, held);
        assertEquals(1.0 - 1.0 / InstructionTasks.Task.values().length, a.overall(), 1e-12);
        assertEquals(0.0, a.perTask().get("last"));
    }

    @Test
    void aModelWithAChatTemplateIsAskedInIt() {
        ChatTemplate chatml = ChatTemplate.of("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}", "chatml", null, null);
        List<InstructionTasks.Example> held = TASKS.heldOut(3, 1);
        List<String> asked = new ArrayList<>();
        InstructionTasks.Accuracy a = InstructionTasks.exactMatch((prompt, n) -> {
            asked.add(prompt);
            return held.get(asked.size() - 1).answer();
        }, held, chatml);
        assertEquals(1.0, a.overall());
        for (int i = 0; i < held.size(); i++) {
            assertEquals("<|im_start|>user\n" + held.get(i).question() + "<|im_end|>\n<|im_start|>assistant\n", asked.get(i));
        }
        assertEquals(held.get(0).prompt(), held.get(0).prompt(null), "no template: the fixed format");
    }

    @Test
    void answersAreTheRightWordsAndHeldOutPromptsUseHeldOutWordsOnly() {
        for (InstructionTasks.Example e : TASKS.heldOut(20, 2)) {
            String p = e.prompt();
            assertTrue(p.startsWith("<|user|>\n") && p.endsWith("\n<|assistant|>\n"), p);
            List<String> words = List.of(e.question().split("\n")).subList(1, e.question().split("\n").length);
            assertTrue(TASKS.heldOutWords().containsAll(words), e.toString());
            assertEquals(switch (e.task()) {
                case REPEAT, FIRST -> words.get(0);
                case LAST -> words.get(words.size() - 1);
            }, e.answer());
        }
        Set<String> seen = new HashSet<>();
        for (Document d : TASKS.training(60, 3)) {
            assertTrue(d.text().contains("<|assistant|>\n"));
            for (String w : TASKS.heldOutWords()) {
                assertFalse(d.text().contains("\n" + w + "\n") || d.text().endsWith("\n" + w), d.text());
            }
            seen.add(d.text().split("\n")[1]);
        }
        assertEquals(3, seen.size(), "all three tasks are trained");
    }

    @Test
    void builtinPoolKeepsShortWordsAndExcludesCuteTestWords() {
        InstructionTasks t = InstructionTasks.builtin(BpeTokenizer.load(BuiltinModels.path("tiny-olmo").resolve("tokenizer.json")));
        assertTrue(t.trainWords().size() > 1000 && t.heldOutWords().size() > 100, t.trainWords().size() + " " + t.heldOutWords().size());
        assertTrue(Collections.disjoint(t.heldOutWords(), CuteTasks.cuteTestWords()));
        assertTrue(Collections.disjoint(t.trainWords(), t.heldOutWords()));
    }
}
