package io.bolmo4j.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstructionTasksTest {
    private static final CuteTasks TASKS = CuteTasks.builtin();

    /** A model that answers from a lookup of the gold answers, optionally wrong on one task. */
    private static ScoringModel lookup(List<CuteExample> examples, CuteTask wrongOn) {
        return new ScoringModel() {
            @Override
            public String generate(String prompt, int maxNewBytes) {
                for (CuteExample e : examples) {
                    if (InstructionTasks.prompt(e).equals(prompt)) {
                        return e.kind() == wrongOn ? "nope\n" : e.answer() + "\nmore text";
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
        List<CuteExample> held = InstructionTasks.heldOut(TASKS, 5, 1);
        assertEquals(5 * InstructionTasks.TASKS.size(), held.size());
        assertEquals(1.0, InstructionTasks.exactMatch(lookup(held, null), held).overall());
        InstructionTasks.Accuracy a = InstructionTasks.exactMatch(lookup(held, CuteTask.DEL_WORD), held);
        assertEquals(1.0 - 1.0 / InstructionTasks.TASKS.size(), a.overall(), 1e-12);
        assertEquals(0.0, a.perTask().get("del_word"));
    }

    @Test
    void promptsUseTheChatTemplateAndHeldOutWordsOnly() {
        List<CuteExample> held = InstructionTasks.heldOut(TASKS, 10, 2);
        List<String> trainWords = TASKS.trainWords();
        for (CuteExample e : held) {
            String p = InstructionTasks.prompt(e);
            assertTrue(p.startsWith("<|user|>\n") && p.endsWith("\n<|assistant|>\n"), p);
            assertFalse(p.contains("Question: "), p);
        }
        for (Document d : InstructionTasks.training(TASKS, 50, 3)) {
            assertTrue(d.text().contains("<|assistant|>\n"));
        }
        assertFalse(trainWords.isEmpty());
    }
}
