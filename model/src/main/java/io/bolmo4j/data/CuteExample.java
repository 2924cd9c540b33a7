package io.bolmo4j.data;

import java.util.List;
import java.util.Objects;

/**
 * One CUTE-style example. The model sees {@code prompt + ANSWER_PREFIX} and should continue with
 * {@code answer + "\""}; {@link #text()} is that whole string, used as a training document.
 *
 * @param id     identifier
 * @param task   task name as in the benchmark files, e.g. {@code "spell"} or {@code "spell_rand"}
 * @param inputs the task's inputs in CUTE column order (e.g. {@code [letter a, letter b, word]} for swap_char)
 * @param prompt the prompt text, ending with the question
 * @param answer the gold answer without quotes
 */
public record CuteExample(String id, String task, List<String> inputs, String prompt, String answer) {
    /** What follows the prompt and precedes the answer, as in the CUTE runner. */
    public static final String ANSWER_PREFIX = " Answer: \"";

    /** Copies the inputs and rejects nulls. */
    public CuteExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(answer, "answer");
    }

    /** The task kind ({@code _rand} variants map to their base task). */
    public CuteTask kind() {
        return CuteTask.fromId(task);
    }

    /** The context the model is scored or prompted with: {@code prompt + ANSWER_PREFIX}. */
    public String context() {
        return prompt + ANSWER_PREFIX;
    }

    /** The full training text: prompt, answer prefix, answer and closing quote. */
    public String text() {
        return context() + answer + "\"";
    }

    /** The two options of a {@linkplain CuteTask#twoWayChoice() two-way} task, or an empty list. */
    public List<String> choices() {
        return switch (kind()) {
            case CONTAINS_CHAR, CONTAINS_WORD -> List.of("Yes", "No");
            case ORTH, SEM -> List.of(inputs.get(1), inputs.get(2));
            default -> List.of();
        };
    }
}
