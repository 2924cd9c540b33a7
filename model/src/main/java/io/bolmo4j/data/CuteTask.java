package io.bolmo4j.data;

import java.util.Locale;

/**
 * The 14 CUTE task kinds (Edman et al., EMNLP 2024). The {@code _rand} ablations of the benchmark map to their
 * base kind via {@link #fromId(String)}.
 */
public enum CuteTask {
    /** Spell a word with spaces between its letters. */
    SPELL,
    /** Join spaced letters into the word. */
    SPELL_INVERSE,
    /** Whether a letter occurs in a word (Yes/No). */
    CONTAINS_CHAR,
    /** Whether a word occurs in a sentence, case-insensitively (Yes/No). */
    CONTAINS_WORD,
    /** Which of two candidates is closer in Levenshtein distance. */
    ORTH,
    /** Which of two candidates is closer in meaning (generated from WordNet synonyms). */
    SEM,
    /** Insert a letter after every instance of another letter. */
    INS_CHAR,
    /** Delete every instance of a letter. */
    DEL_CHAR,
    /** Substitute every instance of a letter by another. */
    SUB_CHAR,
    /** Swap two letters that each occur once. */
    SWAP_CHAR,
    /** Insert a word after every instance of another word. */
    INS_WORD,
    /** Delete every instance of a word. */
    DEL_WORD,
    /** Substitute every instance of a word by another. */
    SUB_WORD,
    /** Swap two words that each occur once. */
    SWAP_WORD;

    /** The benchmark's name, e.g. {@code "swap_char"}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Sentence-level tasks, whose generated answers are compared in lower case. */
    public boolean wordLevel() {
        return name().endsWith("_WORD");
    }

    /** Tasks whose answer is one of two known options (Yes/No or the two candidates). */
    public boolean twoWayChoice() {
        return this == CONTAINS_CHAR || this == CONTAINS_WORD || this == ORTH || this == SEM;
    }

    /**
     * The kind for a benchmark task name, accepting the {@code _rand} suffix.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static CuteTask fromId(String id) {
        String base = id.endsWith("_rand") ? id.substring(0, id.length() - "_rand".length()) : id;
        try {
            return valueOf(base.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown CUTE task: " + id, e);
        }
    }
}
