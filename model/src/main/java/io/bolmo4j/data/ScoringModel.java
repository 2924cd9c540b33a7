package io.bolmo4j.data;

/**
 * The minimal, byte-oriented view of a language model that {@link CuteEval} needs. Both a subword model (units are
 * tokens) and a byte-level model (units are bytes) can implement it; strings are UTF-8 text.
 */
public interface ScoringModel {
    /**
     * Greedy (argmax) continuation of {@code prompt}.
     *
     * @param prompt       the context
     * @param maxNewBytes  the caller uses at most this many new UTF-8 bytes, so the model may stop as soon as it has
     *                     produced that many (a longer result is fine; a subword model may overshoot by a token)
     * @return the generated text only, without the prompt; may be shorter if the model ends the text
     */
    String generate(String prompt, int maxNewBytes);

    /**
     * Teacher-forced scores of {@code continuation} following {@code context}: for each of the model's units
     * (tokens or bytes) covering the continuation, its log-probability and whether it was the argmax.
     *
     * @param context      the conditioning text
     * @param continuation non-empty text whose units are scored
     */
    ContinuationScore score(String context, String continuation);
}
