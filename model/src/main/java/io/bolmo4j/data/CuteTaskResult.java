package io.bolmo4j.data;

/**
 * CUTE metrics of one task. Rates are in [0, 1]; {@code NaN} means "not measured" (generation switched off, or not
 * a two-way task).
 *
 * @param task                  task name, e.g. {@code "spell"}
 * @param examples              number of examples scored
 * @param exactMatch            greedy generation up to the next {@code "} equals the answer (word tasks in lower case)
 * @param teacherForcedAccuracy every unit of the answer is the model's argmax under teacher forcing
 * @param bitsPerByte           answer bits per UTF-8 byte: total answer negative log2-likelihood over total answer bytes
 * @param choiceAccuracy        the gold option outscores the other one (Yes/No, or orth/sem candidates)
 */
public record CuteTaskResult(String task, int examples, double exactMatch, double teacherForcedAccuracy,
                             double bitsPerByte, double choiceAccuracy) {
}
