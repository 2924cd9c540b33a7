package io.bolmo4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/** A tokenizer.json {@code pre_tokenizer}: cuts a normalized piece into the pieces the model encodes one by one. */
sealed interface PreTokenizer {
    /** Appends the non-empty pieces of {@code piece} to {@code out}, in order. */
    void split(NormalizedString piece, List<NormalizedString> out);

    /** GPT-2's pattern, used by a {@code ByteLevel} pre-tokenizer with {@code use_regex: true}. */
    String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /**
     * Compiles an Oniguruma (Ruby syntax) pattern as java.util.regex. Both support possessive quantifiers, atomic
     * groups and {@code \p{..}}; the flags make {@code \s}, {@code \w}, {@code \d} and {@code (?i)} Unicode-aware
     * as in Oniguruma, and make {@code .}, {@code ^}, {@code $} treat only {@code \n} as a line end, as Ruby does.
     *
     * @throws java.util.regex.PatternSyntaxException if Java cannot compile it
     * @throws IllegalArgumentException for syntax Java reads differently (POSIX bracket classes)
     */
    static Pattern compile(String regex) {
        if (regex.contains("[[:")) {
            throw new IllegalArgumentException("POSIX bracket classes ([[:alpha:]] ...) are not supported");
        }
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS | Pattern.UNIX_LINES | Pattern.MULTILINE);
    }

    /** {@code Split}: cuts at the matches of a regex or literal, keeping or dropping them per {@code behavior}. */
    record Split(Pattern pattern, SplitDelimiterBehavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public void split(NormalizedString piece, List<NormalizedString> out) {
            piece.split(NormalizedString.findMatches(pattern, piece.text(), invert), behavior, out);
        }
    }

    /**
     * {@code ByteLevel}: optionally a leading space and GPT-2's regex split. Its byte-to-char mapping is not
     * materialized: the model encodes each piece's UTF-8 bytes directly, so it must be the last step.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        private static final Pattern GPT2 = compile(GPT2_PATTERN);

        @Override
        public void split(NormalizedString piece, List<NormalizedString> out) {
            if (addPrefixSpace && !piece.text().startsWith(" ")) {
                piece = piece.prepend(" ");
            }
            if (useRegex) {
                piece.split(NormalizedString.findMatches(GPT2, piece.text(), false), SplitDelimiterBehavior.Isolated, out);
            } else if (!piece.isEmpty()) {
                out.add(piece);
            }
        }
    }

    /** {@code Metaspace}: spaces become {@code replacement}, optionally prefixed, and each starts a piece. */
    record Metaspace(int replacement, PrependScheme prependScheme, boolean splitPieces) implements PreTokenizer {
        /** When Metaspace puts a replacement char in front of a piece. */
        enum PrependScheme { FIRST, NEVER, ALWAYS }

        @Override
        public void split(NormalizedString piece, List<NormalizedString> out) {
            String rep = Character.toString(replacement);
            piece = piece.replace(NormalizedString.findMatches(c -> c == ' ', piece.text(), false), rep);
            boolean prepend = switch (prependScheme) {
                case ALWAYS -> true;
                case FIRST -> piece.originalStart() == 0;
                case NEVER -> false;
            };
            if (prepend && !piece.text().startsWith(rep)) {
                piece = piece.prepend(rep);
            }
            if (splitPieces) {
                piece.split(NormalizedString.findMatches(c -> c == replacement, piece.text(), false),
                        SplitDelimiterBehavior.MergedWithNext, out);
            } else if (!piece.isEmpty()) {
                out.add(piece);
            }
        }
    }

    /** A split on a class of characters: {@code Whitespace}, {@code WhitespaceSplit}, {@code Digits}, ... */
    record CharSplit(IntPredicate delimiter, SplitDelimiterBehavior behavior) implements PreTokenizer {
        @Override
        public void split(NormalizedString piece, List<NormalizedString> out) {
            piece.split(NormalizedString.findMatches(delimiter, piece.text(), false), behavior, out);
        }
    }

    /** {@code Whitespace}: runs of word chars and runs of other non-space chars (regex {@code \w+|[^\w\s]+}). */
    record Whitespace() implements PreTokenizer {
        private static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

        @Override
        public void split(NormalizedString piece, List<NormalizedString> out) {
            piece.split(NormalizedString.findMatches(WORDS, piece.text(), true), SplitDelimiterBehavior.Removed, out);
        }
    }

    /** {@code Sequence}: each step cuts the pieces of the previous one. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public void split(NormalizedString piece, List<NormalizedString> out) {
            List<NormalizedString> pieces = List.of(piece);
            for (PreTokenizer step : steps) {
                List<NormalizedString> next = new ArrayList<>();
                for (NormalizedString p : pieces) {
                    step.split(p, next);
                }
                pieces = next;
            }
            pieces.stream().filter(p -> !p.isEmpty()).forEach(out::add);
        }
    }
}
