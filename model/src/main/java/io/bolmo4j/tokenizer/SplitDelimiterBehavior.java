package io.bolmo4j.tokenizer;

/** What a split does with the delimiters it finds (Hugging Face's {@code SplitDelimiterBehavior}). */
enum SplitDelimiterBehavior {
    /** Delimiters are dropped. */
    Removed,
    /** Each delimiter is a piece of its own. */
    Isolated,
    /** A delimiter joins the piece before it. */
    MergedWithPrevious,
    /** A delimiter joins the piece after it. */
    MergedWithNext,
    /** Adjacent delimiters form one piece. */
    Contiguous;

    /**
     * Turns a covering list of {@code (start, end, isMatch)} triples into the pieces to keep, as HF does: the result
     * holds {@code (start, end)} pairs in order.
     */
    IntList pieces(IntList matches) {
        IntList out = new IntList(matches.size());
        int n = matches.size() / 3;
        switch (this) {
            case Removed, Isolated -> {
                for (int i = 0; i < n; i++) {
                    if (this == Isolated || matches.get(3 * i + 2) == 0) {
                        out.add(matches.get(3 * i));
                        out.add(matches.get(3 * i + 1));
                    }
                }
            }
            case Contiguous, MergedWithPrevious -> {
                boolean previousMatch = false;
                for (int i = 0; i < n; i++) {
                    boolean match = matches.get(3 * i + 2) != 0;
                    boolean join = this == Contiguous ? match == previousMatch : match && !previousMatch;
                    if (join && out.size() > 0) {
                        out.set(out.size() - 1, matches.get(3 * i + 1));
                    } else {
                        out.add(matches.get(3 * i));
                        out.add(matches.get(3 * i + 1));
                    }
                    previousMatch = match;
                }
            }
            case MergedWithNext -> {
                // HF folds from the right: a delimiter is glued to the start of the piece after it.
                IntList reversed = new IntList(matches.size());
                boolean previousMatch = false;
                for (int i = n - 1; i >= 0; i--) {
                    boolean match = matches.get(3 * i + 2) != 0;
                    if (match && !previousMatch && reversed.size() > 0) {
                        reversed.set(reversed.size() - 2, matches.get(3 * i));
                    } else {
                        reversed.add(matches.get(3 * i));
                        reversed.add(matches.get(3 * i + 1));
                    }
                    previousMatch = match;
                }
                for (int i = reversed.size() - 2; i >= 0; i -= 2) {
                    out.add(reversed.get(i));
                    out.add(reversed.get(i + 1));
                }
            }
        }
        return out;
    }
}
